import { pino, type Logger } from 'pino';
import type { Config } from './config.ts';

export type { Logger };

/** One JSON line per event; every event names the ids a person needs to find the record. */
export function createLogger(config: Pick<Config, 'logLevel'>): Logger {
  return pino({ level: config.logLevel, base: { service: 'facteur' } });
}
