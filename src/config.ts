// The only reader of process.env. A wrong setting stops the program with a message a person can act on.
import path from 'node:path';
import { z } from 'zod';

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const environmentSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL (leave it unset for the embedded database)')
    .optional(),
  FACTEUR_DATA_DIR: z.string().min(1).default('.facteur'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8025),
  PUBLIC_URL: z.string().url('must be a full URL such as https://facteur.example.com').optional(),
  LOG_LEVEL: z.enum(logLevels).default('info'),
  FACTEUR_MASTER_KEY: z
    .string()
    .regex(/^[A-Za-z0-9+/]{43}=$/, 'must be 32 bytes in base64 (generate one with: openssl rand -base64 32)')
    .optional(),
  REPLY_TOKENS: z.enum(['on', 'off']).default('on'),
  OUTBOX_SWEEP_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  OUTBOX_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(5),
  OUTBOX_RETRY_BASE_SECONDS: z.coerce.number().int().min(1).max(86_400).default(60),
  OUTBOX_LEASE_SECONDS: z.coerce.number().int().min(5).max(86_400).default(300),
  OUTBOX_SENT_RETENTION_HOURS: z.coerce.number().min(0).max(87_600).default(168),
  SMTP_LISTENER_HOST: z.string().min(1).default('127.0.0.1'),
  // No default on purpose: `start` (role all) runs the listener only when it is set (smtpListener.withRoleAll).
  SMTP_LISTENER_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  SMTP_LISTENER_MAX_SIZE_MB: z.coerce.number().int().min(1).max(1024).default(25),
  INBOUND_BOUNCE_LIMIT: z.coerce.number().int().min(1).max(1000).default(5),
  INBOUND_LOOP_LIMIT: z.coerce.number().int().min(1).max(100_000).default(20),
  INBOUND_LOOP_MINUTES: z.coerce.number().int().min(1).max(100_000).default(120),
  INBOUND_UNROUTED_REPLY: z.enum(['on', 'off']).default('off'),
  SWEEGO_SYNC_MINUTES: z.coerce.number().int().min(0).max(10_080).default(30),
});

export interface Config {
  /** PostgreSQL connection string; when absent, the embedded PGlite database in `dataDir` is used. */
  databaseUrl: string | undefined;
  dataDir: string;
  host: string;
  port: number;
  publicUrl: string;
  logLevel: (typeof logLevels)[number];
  /** Encrypts secrets at rest (base64, 32 bytes); generated into the data directory when absent. */
  masterKey: string | undefined;
  /** Reply-To carries a signed reply+TOKEN address routing answers to their record; off: the catchall. */
  replyTokens: boolean;
  outbox: {
    /** The periodic sweep, on top of the wake-up on NOTIFY (the seed's "every X minutes"). */
    sweepSeconds: number;
    maxAttempts: number;
    /** First retry delay; each further attempt doubles it. */
    retryBaseSeconds: number;
    /** How long a worker owns a claimed entry; past it, another worker takes the entry over. */
    leaseSeconds: number;
    /** How long sent entries stay visible in the queue before they are deleted (0: at once). */
    sentRetentionHours: number;
  };
  /** The optional SMTP listener (`start --role smtp`): an MX-style receiver for the alias domains. */
  smtpListener: {
    host: string;
    /** 2525 unless SMTP_LISTENER_PORT is set; 0 picks a free port. */
    port: number;
    /**
     * `start` (role all) runs the listener too only when SMTP_LISTENER_PORT is set: a laptop's
     * `npm start` must not take a port nobody asked for. `--role smtp` always runs it.
     */
    withRoleAll: boolean;
    /** Announced in EHLO (RFC 1870 SIZE); a bigger message is refused with 552. */
    maxSizeBytes: number;
  };
  inbound: {
    /** Bounces after which a partner's address is blacklisted (Odoo's default: 5). */
    bounceLimit: number;
    /** The sender-loop limit: at most this many messages from one sender to one thread… */
    loopLimit: number;
    /** …within this many minutes; beyond, messages are kept but not posted. */
    loopMinutes: number;
    /** Answer an unrouted message with a notice explaining it went nowhere (once a day per sender). */
    answerUnrouted: boolean;
  };
  sweego: {
    /** How often the worker syncs Sweego's delivery logs (seed 001 §6); 0: never on its own. */
    syncMinutes: number;
  };
}

export class ConfigError extends Error {}

export function loadConfig(environment: NodeJS.ProcessEnv = process.env): Config {
  const parsed = environmentSchema.safeParse(environment);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Facteur cannot start, a setting is wrong:\n${lines.join('\n')}`);
  }
  const values = parsed.data;
  return {
    databaseUrl: values.DATABASE_URL,
    dataDir: path.resolve(values.FACTEUR_DATA_DIR),
    host: values.HOST,
    port: values.PORT,
    publicUrl: values.PUBLIC_URL ?? `http://${values.HOST}:${values.PORT}`,
    logLevel: values.LOG_LEVEL,
    masterKey: values.FACTEUR_MASTER_KEY,
    replyTokens: values.REPLY_TOKENS === 'on',
    outbox: {
      sweepSeconds: values.OUTBOX_SWEEP_SECONDS,
      maxAttempts: values.OUTBOX_MAX_ATTEMPTS,
      retryBaseSeconds: values.OUTBOX_RETRY_BASE_SECONDS,
      leaseSeconds: values.OUTBOX_LEASE_SECONDS,
      sentRetentionHours: values.OUTBOX_SENT_RETENTION_HOURS,
    },
    smtpListener: {
      host: values.SMTP_LISTENER_HOST,
      port: values.SMTP_LISTENER_PORT ?? 2525,
      withRoleAll: values.SMTP_LISTENER_PORT !== undefined,
      maxSizeBytes: values.SMTP_LISTENER_MAX_SIZE_MB * 1024 * 1024,
    },
    inbound: {
      bounceLimit: values.INBOUND_BOUNCE_LIMIT,
      loopLimit: values.INBOUND_LOOP_LIMIT,
      loopMinutes: values.INBOUND_LOOP_MINUTES,
      answerUnrouted: values.INBOUND_UNROUTED_REPLY === 'on',
    },
    sweego: {
      syncMinutes: values.SWEEGO_SYNC_MINUTES,
    },
  };
}
