import type { ChatterDeps } from '../chatter/deps.ts';
import type { Config } from '../config.ts';
import type { SecretBox } from '../secrets/secretBox.ts';

/** What mail operations (outgoing servers, sending) need; app.ts builds it once. */
export interface MailDeps extends ChatterDeps {
  /** Seals the secrets of servers (SMTP passwords) before they are stored, and opens them to send. */
  secrets: SecretBox;
  config: Config;
}
