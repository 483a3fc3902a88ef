// Settings shared by every Sweego feature (seed 001 §4.1; issue 5 §1): the API key (sealed), the
// client UUID (it builds the attachment URLs) and the API's base URL. Installation-wide, as Odoo's
// `ir.config_parameter` keys are; the host application sets them, users never see the key.
import { requireSystem, type Actor } from '../chatter/actor.ts';
import { readSetting, writeSetting } from '../db/settings.store.ts';
import { FacteurError } from '../errors.ts';
import type { MailDeps } from '../mail/deps.ts';

export const DEFAULT_API_URL = 'https://api.sweego.io';

const KEYS = { apiKey: 'sweego.api_key', clientUuid: 'sweego.client_uuid', apiUrl: 'sweego.api_url' } as const;

export interface SweegoSettingsView {
  hasApiKey: boolean;
  clientUuid: string | null;
  apiUrl: string;
}

export interface SweegoSettingsInput {
  /** Sealed before it is stored, never returned; null removes it. */
  apiKey?: string | null | undefined;
  clientUuid?: string | null | undefined;
  /** Null or empty: the default, https://api.sweego.io. */
  apiUrl?: string | null | undefined;
}

/** What calls to Sweego's API need, the key opened: for the log sync and attachment downloads only. */
export interface SweegoApiAccess {
  apiKey: string | null;
  clientUuid: string | null;
  apiUrl: string;
}

export async function getSweegoSettings(deps: MailDeps, actor: Actor): Promise<SweegoSettingsView> {
  requireSystem(actor, 'read the Sweego settings');
  const access = await sweegoApiAccess(deps);
  return { hasApiKey: access.apiKey !== null, clientUuid: access.clientUuid, apiUrl: access.apiUrl };
}

export async function updateSweegoSettings(deps: MailDeps, actor: Actor, input: SweegoSettingsInput): Promise<SweegoSettingsView> {
  requireSystem(actor, 'change the Sweego settings');
  if (input.clientUuid != null && input.clientUuid.trim() !== '' && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(input.clientUuid.trim())) {
    throw new FacteurError('VALIDATION_FAILED', `The client UUID is the account UUID shown in Sweego's dashboard, e.g. 3f2b8c1e-…; got "${input.clientUuid}".`, { field: 'clientUuid' });
  }
  if (input.apiUrl != null && input.apiUrl.trim() !== '') checkApiUrl(input.apiUrl.trim());
  if (input.apiKey !== undefined) await writeSetting(deps.db, KEYS.apiKey, blank(input.apiKey) ? null : deps.secrets.seal(input.apiKey!.trim()));
  if (input.clientUuid !== undefined) await writeSetting(deps.db, KEYS.clientUuid, blank(input.clientUuid) ? null : input.clientUuid!.trim().toLowerCase());
  if (input.apiUrl !== undefined) await writeSetting(deps.db, KEYS.apiUrl, blank(input.apiUrl) ? null : input.apiUrl!.trim().replace(/\/+$/, ''));
  deps.log.info({ changed: Object.keys(input) }, 'Sweego settings updated');
  return getSweegoSettings(deps, actor);
}

export async function sweegoApiAccess(deps: MailDeps): Promise<SweegoApiAccess> {
  const [sealedKey, clientUuid, apiUrl] = await Promise.all([readSetting(deps.db, KEYS.apiKey), readSetting(deps.db, KEYS.clientUuid), readSetting(deps.db, KEYS.apiUrl)]);
  let apiKey: string | null = null;
  if (sealedKey !== undefined) {
    try {
      apiKey = deps.secrets.open(sealedKey);
    } catch (error) {
      deps.log.error({ err: error }, 'the Sweego API key cannot be decrypted (was FACTEUR_MASTER_KEY changed?); set it again');
    }
  }
  return { apiKey, clientUuid: clientUuid ?? null, apiUrl: apiUrl ?? DEFAULT_API_URL };
}

function blank(value: string | null | undefined): boolean {
  return value === null || value === undefined || value.trim() === '';
}

function checkApiUrl(value: string): void {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new FacteurError('VALIDATION_FAILED', `The API URL must be an http(s) URL such as ${DEFAULT_API_URL}; got "${value}".`, { field: 'apiUrl' });
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new FacteurError('VALIDATION_FAILED', `The API URL must be an http(s) URL such as ${DEFAULT_API_URL}; got "${value}".`, { field: 'apiUrl' });
  }
}
