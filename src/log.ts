import { pino, type Logger } from 'pino';
import type { Config } from './config.ts';

export type { Logger };

/** One JSON line per event; every event names the ids a person needs to find the record. */
export function createLogger(config: Pick<Config, 'logLevel'>, stream: 'stdout' | 'stderr' = 'stdout'): Logger {
  // One-shot CLI commands log to stderr so that their own output stays readable and pipeable.
  return pino({ level: config.logLevel, base: { service: 'facteur' } }, pino.destination(stream === 'stdout' ? 1 : 2));
}
