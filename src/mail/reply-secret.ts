// The installation's reply-token secret (DESIGN "reply token"): created once, never changed, so each
// process reads it once rather than on every batch or inbound message.
import { randomBytes } from 'node:crypto';
import type { Db } from '../db/database.ts';
import { initSetting } from '../db/settings.store.ts';

const SETTING = 'reply_token_secret';
const known = new WeakMap<Db, Promise<string>>();

export function replySecret(db: Db): Promise<string> {
  let secret = known.get(db);
  if (!secret) {
    secret = initSetting(db, SETTING, randomBytes(32).toString('hex'));
    secret.catch(() => known.delete(db)); // a failed read is tried again next time
    known.set(db, secret);
  }
  return secret;
}
