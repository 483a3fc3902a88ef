// Real SMTP peers for the outbound tests: `smtp-server` on 127.0.0.1, on an ephemeral port, that
// accepts (and keeps every message with its envelope), answers 4xx, answers 5xx at RCPT or at
// MAIL FROM — "down", a loopback port where nothing listens — and "silent", a port that accepts
// connections and never greets (the client times out). Every wait is bounded.
import { createServer as createTcpServer, type AddressInfo, type Socket } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';

/** What the peer answers, decided afresh for every SMTP command: change it with `peer.mode = …`. */
export type SmtpMode =
  /** 250 everywhere; the message is kept. */
  | { kind: 'accept' }
  /** A temporary failure (4xx, RFC 5321 §4.2.1) at MAIL FROM, RCPT TO or at the end of DATA. */
  | { kind: 'temporary'; at: 'MAIL' | 'RCPT' | 'DATA'; code?: number; message?: string }
  /** A permanent failure of the recipient (5xx at RCPT TO, 550 by default). */
  | { kind: 'reject-recipient'; code?: number; message?: string }
  /** A permanent failure of the sender (5xx at MAIL FROM, 553 by default). */
  | { kind: 'reject-sender'; code?: number; message?: string };

export const TEMPORARY_WORDS = '4.7.1 Greylisted, please try again later';
export const MAILBOX_UNAVAILABLE_WORDS = '5.1.1 Recipient address rejected: mailbox unavailable';
export const SENDER_REJECTED_WORDS = '5.7.1 Sender address rejected: not owned by this account';

export interface ReceivedEmail {
  /** MAIL FROM, as the client gave it. */
  mailFrom: string;
  /** Every RCPT TO of the transaction. */
  rcptTo: string[];
  raw: Buffer;
  /** The header block (before the first empty line), unfolded; cheap, for large counts. */
  headerText: string;
  /** One header's value from the raw header block (first occurrence), or undefined. */
  header(name: string): string | undefined;
  /** The whole message parsed back by mailparser. */
  parse(): Promise<ParsedMail>;
}

export interface SmtpPeer {
  readonly host: '127.0.0.1';
  readonly port: number;
  mode: SmtpMode;
  /** Messages accepted so far, in the order they arrived. */
  readonly received: ReceivedEmail[];
  /** Commands seen (accepted or not): how many times a client tried. */
  readonly seen: { connections: number; mailFrom: number; rcptTo: number; data: number };
  /** Resolves once at least `count` messages were accepted; rejects after `timeoutMs`. */
  waitForMessages(count: number, timeoutMs?: number): Promise<ReceivedEmail[]>;
  /** The messages whose envelope names this recipient. */
  receivedFor(address: string): ReceivedEmail[];
  /** Forgets what was received (and the counters). */
  reset(): void;
  close(): Promise<void>;
}

function smtpError(code: number, message: string): Error {
  return Object.assign(new Error(message), { responseCode: code });
}

function unfoldedHeaderText(raw: Buffer): string {
  const text = raw.toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  return (end < 0 ? text : text.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
}

function receivedEmail(session: SMTPServerSession, raw: Buffer): ReceivedEmail {
  const headerText = unfoldedHeaderText(raw);
  const mailFrom = session.envelope.mailFrom;
  return {
    mailFrom: mailFrom ? mailFrom.address : '',
    rcptTo: session.envelope.rcptTo.map((r) => r.address),
    raw,
    headerText,
    header(name) {
      const escaped = name.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
      return new RegExp(`^${escaped}:[ \\t]*(.*)$`, 'im').exec(headerText)?.[1]?.trim();
    },
    parse: () => simpleParser(raw),
  };
}

/** Starts an SMTP peer on 127.0.0.1 (ephemeral port), no TLS, no AUTH required. */
/** `credentials`: the peer requires AUTH with them (over plain TCP, as a relay behind TLS would see it), as Sweego's relay does. */
export async function startSmtpPeer(initial: SmtpMode = { kind: 'accept' }, options: { credentials?: { user: string; pass: string } } = {}): Promise<SmtpPeer> {
  const received: ReceivedEmail[] = [];
  const seen = { connections: 0, mailFrom: 0, rcptTo: 0, data: 0 };
  const waiters = new Set<() => void>();
  const notify = () => {
    for (const waiter of [...waiters]) waiter();
  };
  const peer = { mode: initial } as { mode: SmtpMode };

  const server = new SMTPServer({
    secure: false,
    disabledCommands: ['STARTTLS'],
    authOptional: options.credentials === undefined,
    allowInsecureAuth: true,
    onAuth(auth, _session, callback) {
      const wanted = options.credentials;
      if (wanted && auth.username === wanted.user && auth.password === wanted.pass) return callback(null, { user: auth.username });
      callback(smtpError(535, '5.7.8 Authentication credentials invalid'));
    },
    logger: false,
    // Up to three worker processes with pooled connections each.
    maxClients: 200,
    size: 50 * 1024 * 1024,
    // close() waits for clients to leave; past this, it cuts them (bounded, as every wait here).
    closeTimeout: 5_000,
    onConnect(_session, callback) {
      seen.connections += 1;
      callback();
    },
    onMailFrom(_address, _session, callback) {
      seen.mailFrom += 1;
      const mode = peer.mode;
      if (mode.kind === 'temporary' && mode.at === 'MAIL') return callback(smtpError(mode.code ?? 451, mode.message ?? TEMPORARY_WORDS));
      if (mode.kind === 'reject-sender') return callback(smtpError(mode.code ?? 553, mode.message ?? SENDER_REJECTED_WORDS));
      callback();
    },
    onRcptTo(_address, _session, callback) {
      seen.rcptTo += 1;
      const mode = peer.mode;
      if (mode.kind === 'temporary' && mode.at === 'RCPT') return callback(smtpError(mode.code ?? 451, mode.message ?? TEMPORARY_WORDS));
      if (mode.kind === 'reject-recipient') return callback(smtpError(mode.code ?? 550, mode.message ?? MAILBOX_UNAVAILABLE_WORDS));
      callback();
    },
    onData(stream, session, callback) {
      seen.data += 1;
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', (error) => callback(error));
      stream.on('end', () => {
        const mode = peer.mode;
        if (mode.kind === 'temporary' && mode.at === 'DATA') return callback(smtpError(mode.code ?? 451, mode.message ?? TEMPORARY_WORDS));
        received.push(receivedEmail(session, Buffer.concat(chunks)));
        notify();
        callback(null, 'OK: queued');
      });
    },
  });
  server.on('error', () => {}); // a client that hangs up mid-session is not the test's failure

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = (server as unknown as { server: { address(): AddressInfo } }).server.address();

  return {
    host: '127.0.0.1',
    port,
    get mode() {
      return peer.mode;
    },
    set mode(mode: SmtpMode) {
      peer.mode = mode;
    },
    received,
    seen,
    async waitForMessages(count, timeoutMs = 30_000) {
      if (received.length >= count) return received;
      await new Promise<void>((resolve, reject) => {
        const check = () => {
          if (received.length >= count) {
            cleanup();
            resolve();
          }
        };
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`The SMTP peer on port ${port} received ${received.length} of ${count} messages within ${timeoutMs} ms.`));
        }, timeoutMs);
        const cleanup = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
      });
      return received;
    },
    receivedFor(address) {
      const wanted = address.toLowerCase();
      return received.filter((r) => r.rcptTo.some((to) => to.toLowerCase() === wanted));
    },
    reset() {
      received.length = 0;
      Object.assign(seen, { connections: 0, mailFrom: 0, rcptTo: 0, data: 0 });
    },
    close() {
      // smtp-server waits for its clients to leave; pooled clients are closed by their owners.
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A loopback port where nothing listens ("down"): bound to get a free port, then released. */
export async function closedPort(): Promise<number> {
  const probe = createTcpServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** A loopback port that accepts connections and never says a word: the client's greeting times out. */
export async function startSilentPeer(): Promise<{ port: number; connections: () => number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server = createTcpServer((socket) => {
    connections += 1;
    sockets.add(socket);
    socket.on('error', () => {});
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    connections: () => connections,
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
