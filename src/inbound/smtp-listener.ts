// The optional SMTP listener (`facteur start --role smtp`; DESIGN "Inbound"): an MX-style receiver.
// It takes mail for the configured alias domains only — any other recipient is refused at RCPT, so it
// can never relay — and answers 250 only once the inbound gateway has stored the message: a 250 means
// the message is kept. When it cannot be stored the answer is a temporary failure, and the sending
// MTA tries again later (RFC 5321 §4.5.4.1): nothing is lost.
import os from 'node:os';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import { ConfigError } from '../config.ts';
import type { MailDeps } from '../mail/deps.ts';
import { aliasDomainChecker } from './alias-domain-checker.ts';
import { receiveInbound } from './gateway.ts';
import { traceHeaders } from './smtp-trace.ts';

export interface SmtpListenerOptions {
  host: string;
  /** 0 picks a free port; the one chosen is returned. */
  port: number;
  /** Defaults to the configured SMTP_LISTENER_MAX_SIZE_MB. */
  maxSizeBytes?: number;
}

export interface SmtpListener {
  host: string;
  port: number;
  /** Stops accepting connections, lets open transactions end (5 s at most), waits for messages being stored. */
  stop(): Promise<void>;
}

/** smtp-server ≥ 3.21 answers an over-size message itself, with 552 5.3.4 (RFC 1870, RFC 3463); its types lag. */
type ServerOptions = SMTPServerOptions & { rejectOversized?: boolean };

/** An error smtp-server turns into this reply code; it adds the enhanced status code (RFC 3463) itself. */
function reply(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

export async function startSmtpListener(deps: MailDeps, options: SmtpListenerOptions): Promise<SmtpListener> {
  const maxSizeBytes = options.maxSizeBytes ?? deps.config.smtpListener.maxSizeBytes;
  const aliasDomains = aliasDomainChecker(deps.db);
  const serverName = os.hostname();
  const storing = new Set<Promise<void>>();
  const log = deps.log;

  async function acceptsRecipient(address: string): Promise<boolean> {
    // RFC 5321 §4.5.1: the reserved mailbox "postmaster", without a domain, MUST be accepted.
    if (address.toLowerCase() === 'postmaster') return true;
    const at = address.lastIndexOf('@');
    return at > 0 && (await aliasDomains.accepts(address.slice(at + 1)));
  }

  async function store(raw: Buffer, session: SMTPServerSession): Promise<string> {
    const mailFrom = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
    const rcptTo = session.envelope.rcptTo.map((r) => r.address);
    const trace = traceHeaders({
      mailFrom,
      rcptTo,
      heloName: session.hostNameAppearsAs,
      remoteAddress: session.remoteAddress,
      serverName,
      protocol: session.transmissionType || 'ESMTP',
      sessionId: session.id,
      at: new Date(),
    });
    const result = await receiveInbound(deps, { raw: Buffer.concat([trace, raw]), identity: raw, source: 'smtp' });
    log.info({ inboundId: result.id, duplicate: result.duplicate, state: result.state, remoteAddress: session.remoteAddress, mailFrom, rcptTo }, 'smtp message accepted');
    return result.duplicate ? `already stored as inbound ${result.id}` : `stored as inbound ${result.id}`;
  }

  const serverOptions: ServerOptions = {
    name: serverName,
    banner: 'Facteur',
    // An MX receives from anyone without a login; the recipient check is what keeps it closed.
    authOptional: true,
    // No certificate is configured: without STARTTLS, senders deliver in clear rather than fail on a bad one.
    disabledCommands: ['AUTH', 'STARTTLS'],
    // RFC 2034/3463: every reply carries its enhanced status code (550 5.1.1, 451 4.3.0, 552 5.3.4…).
    hideENHANCEDSTATUSCODES: false,
    size: maxSizeBytes,
    rejectOversized: true,
    // The Received line carries the IP address; a reverse lookup would make every connection wait on DNS.
    disableReverseLookup: true,
    closeTimeout: 5_000,
    logger: false,

    onRcptTo(address, session, callback) {
      acceptsRecipient(address.address).then(
        (accepted) => {
          if (accepted) return callback();
          log.info({ address: address.address, remoteAddress: session.remoteAddress }, 'smtp recipient refused');
          // RFC 5321 §4.2.2: 550, requested action not taken, mailbox unavailable (5.1.1).
          callback(reply(550, `<${address.address}>: recipient not accepted here (not one of this Facteur's alias domains)`));
        },
        (error: unknown) => {
          log.error({ err: error, address: address.address, remoteAddress: session.remoteAddress }, 'smtp recipient not checked: the alias domains could not be read');
          // RFC 5321 §4.2.2: 451, local error in processing — the sender tries again later.
          callback(reply(451, 'cannot check the recipient now, try again later'));
        },
      );
    },

    onData(stream: SMTPServerDataStream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => {
        if (!stream.sizeExceeded) chunks.push(chunk);
      });
      stream.once('end', () => {
        if (stream.sizeExceeded) {
          log.info({ remoteAddress: session.remoteAddress, maxSizeBytes }, 'smtp message refused: over the size limit');
          // RFC 1870: 552, message size exceeds fixed maximum; nothing was stored.
          return callback(reply(552, `message exceeds fixed maximum message size ${maxSizeBytes}`));
        }
        const work = store(Buffer.concat(chunks), session).then(
          (message) => callback(null, message),
          (error: unknown) => {
            log.error({ err: error, remoteAddress: session.remoteAddress }, 'smtp message not stored: answered 451, the sender will retry');
            callback(reply(451, 'the message could not be stored, try again later'));
          },
        );
        storing.add(work);
        void work.finally(() => storing.delete(work));
      });
    },
  };
  const server = new SMTPServer(serverOptions);

  const port = await new Promise<number>((resolve, reject) => {
    const failed = (error: NodeJS.ErrnoException) =>
      reject(new ConfigError(`The SMTP listener cannot listen on ${options.host}:${options.port} (${error.code ?? error.message}): set SMTP_LISTENER_HOST / SMTP_LISTENER_PORT.`));
    server.once('error', failed);
    server.listen(options.port, options.host, () => {
      server.off('error', failed);
      const address = server.server.address();
      resolve(typeof address === 'object' && address ? address.port : options.port);
    });
  });
  // A client that resets its connection is no reason to stop: it is noted, and the listener goes on.
  server.on('error', (error) => log.warn({ err: error }, 'smtp connection error'));

  return {
    host: options.host,
    port,
    async stop() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await Promise.allSettled([...storing]);
    },
  };
}
