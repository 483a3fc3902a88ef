// One pooled nodemailer transport per outgoing server, kept across batches (DESIGN "Performance":
// a new connection per message caps near 10/s), rebuilt when the server's settings change; and the
// built-in catcher, which "sends" by keeping the raw message.
import nodemailer, { type SendMailOptions, type Transporter } from 'nodemailer';
import { transportOptions, type OutgoingServer } from './servers.ts';

export interface SendResult {
  messageId: string;
  accepted: string[];
  rejected: string[];
  /** The server's replies to rejected recipients, as nodemailer reports them. */
  rejectedErrors: { code?: string; responseCode?: number; response?: string; command?: string; message: string }[];
  response: string;
  /** The raw message, for the catcher only. */
  raw: Buffer | null;
}

export interface TransportPool {
  send(server: OutgoingServer | null, message: SendMailOptions): Promise<SendResult>;
  close(): void;
}

const catcher = nodemailer.createTransport({ streamTransport: true, buffer: true });

/** The MIME an email becomes, as the catcher keeps it, without sending it anywhere (the send queue's detail). */
export async function buildRaw(message: SendMailOptions): Promise<Buffer> {
  const info = await catcher.sendMail(message);
  return (info as { message: Buffer }).message;
}

export function createTransportPool(options: { maxConnections?: number } = {}): TransportPool {
  const transports = new Map<number, { fingerprint: string; transporter: Transporter }>();

  const transportFor = (server: OutgoingServer): Transporter => {
    const fingerprint = JSON.stringify([server.host, server.port, server.security, server.username, server.password]);
    const cached = transports.get(server.id);
    if (cached?.fingerprint === fingerprint) return cached.transporter;
    cached?.transporter.close();
    const transporter = nodemailer.createTransport(transportOptions(server, options));
    transports.set(server.id, { fingerprint, transporter });
    return transporter;
  };

  return {
    async send(server, message) {
      const transporter = server === null || server.kind === 'catcher' ? catcher : transportFor(server);
      const info = await transporter.sendMail(message);
      return {
        messageId: info.messageId,
        accepted: (info.accepted ?? []).map(String),
        rejected: (info.rejected ?? []).map(String),
        rejectedErrors: (info as { rejectedErrors?: SendResult['rejectedErrors'] }).rejectedErrors ?? [],
        response: String(info.response ?? ''),
        raw: Buffer.isBuffer((info as { message?: unknown }).message) ? ((info as { message: Buffer }).message) : null,
      };
    },
    close() {
      for (const { transporter } of transports.values()) transporter.close();
      transports.clear();
    },
  };
}
