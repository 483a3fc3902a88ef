// The trace fields the SMTP listener writes above a message it accepts. As the server that makes
// the final delivery it must (RFC 5321 §4.4): Return-Path, the envelope sender (`<>` for a bounce),
// and a Received line saying who handed the message over, from where and when. Delivered-To names
// each accepted envelope recipient, as mailbox providers do: a Bcc or a forward to the catchall is not
// in To or Cc, and the inbound router reads Delivered-To as it does from an IMAP mailbox.

export interface TraceInput {
  /** The MAIL FROM address; '' for the null sender of a bounce. */
  mailFrom: string;
  rcptTo: string[];
  /** The name the client gave in EHLO or HELO. */
  heloName: string;
  remoteAddress: string;
  /** This server's name, as in its greeting. */
  serverName: string;
  /** ESMTP, SMTP, ESMTPS… (RFC 3848). */
  protocol: string;
  sessionId: string;
  at: Date;
}

export function traceHeaders(input: TraceInput): Buffer {
  const literal = addressLiteral(input.remoteAddress);
  const helo = /^[A-Za-z0-9.-]{1,253}$|^\[[A-Za-z0-9.:]{1,64}\]$/.test(input.heloName) ? input.heloName : literal;
  // With several recipients the Received line names none: `for` would show each one the others.
  const forClause = input.rcptTo.length === 1 ? `\r\n\tfor <${clean(input.rcptTo[0]!)}>` : '';
  const lines = [
    `Return-Path: <${clean(input.mailFrom)}>`,
    ...input.rcptTo.map((address) => `Delivered-To: ${clean(address)}`),
    `Received: from ${helo} (${literal})\r\n\tby ${clean(input.serverName)} (Facteur) with ${clean(input.protocol)} id ${clean(input.sessionId)}${forClause};\r\n\t${rfc5322Date(input.at)}`,
  ];
  return Buffer.from(`${lines.join('\r\n')}\r\n`, 'utf8');
}

/** RFC 5321 §4.1.3: [192.0.2.1], [IPv6:2001:db8::1]. */
function addressLiteral(ip: string): string {
  const plain = ip.replace(/^::ffff:(?=\d+\.\d+\.\d+\.\d+$)/, '');
  return plain.includes(':') ? `[IPv6:${clean(plain)}]` : `[${clean(plain)}]`;
}

/** RFC 5322 §3.3, in UTC: Tue, 01 Jul 2025 10:00:00 +0000. */
function rfc5322Date(at: Date): string {
  return at.toUTCString().replace(/GMT$/, '+0000');
}

/** Nothing the client sent may break a header line. */
function clean(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f]/g, '');
}
