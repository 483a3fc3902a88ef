// Sweego settings (seed 001 §4.1): the API key (write-only: the page only says whether one is set),
// the client UUID and the API URL, shared by every Sweego feature; and "Sync delivery logs now".
import { useState } from 'react';
import { get, patch, post } from '../api.ts';
import { ActionButton, ErrorNote, Field, Flash, Loading, useFlash, useLoad } from '../components.tsx';
import { fill, messages } from '../i18n.tsx';

interface SweegoSettingsView {
  hasApiKey: boolean;
  clientUuid: string | null;
  apiUrl: string;
}

interface SyncReport {
  pending: number;
  pages: number;
  records: number;
  matched: number;
  applied: number;
}

const DEFAULT_API_URL = 'https://api.sweego.io';

const useWords = messages({
  en: {
    intro: 'Used to download inbound attachments and to sync delivery logs. The SMTP relay and its webhook secrets are set on the outgoing server.',
    apiKey: 'API key',
    keySet: 'An API key is set. Type a new one to replace it.',
    keyUnset: 'No API key is set: copy it from Sweego’s dashboard (section API).',
    removeKey: 'Remove the API key',
    clientUuid: 'Client UUID',
    clientUuidHint: 'The account UUID shown in Sweego’s dashboard.',
    apiUrl: 'API URL',
    apiUrlHint: 'Empty: {url}',
    save: 'Save',
    saving: 'Saving…',
    saved: 'Saved.',
    syncTitle: 'Delivery logs',
    syncIntro: 'Confirms, from Sweego’s logs, the deliveries and bounces whose webhook never came. The worker does it on its own every few minutes.',
    sync: 'Sync delivery logs now',
    syncing: 'Syncing…',
    nothingPending: 'No email is waiting for Sweego’s confirmation: nothing to sync.',
    synced: '{pending} emails were waiting; {pages} pages and {records} log records read, {matched} about them; {applied} confirmed or marked undelivered.',
  },
  fr: {
    intro: 'Sert à télécharger les pièces jointes entrantes et à synchroniser les journaux de livraison. Le relais SMTP et ses secrets de webhook se règlent sur le serveur sortant.',
    apiKey: 'Clé d’API',
    keySet: 'Une clé d’API est définie. Saisissez-en une nouvelle pour la remplacer.',
    keyUnset: 'Aucune clé d’API n’est définie : copiez-la depuis le tableau de bord Sweego (section API).',
    removeKey: 'Retirer la clé d’API',
    clientUuid: 'UUID client',
    clientUuidHint: 'L’UUID du compte affiché dans le tableau de bord Sweego.',
    apiUrl: 'URL de l’API',
    apiUrlHint: 'Vide : {url}',
    save: 'Enregistrer',
    saving: 'Enregistrement…',
    saved: 'Enregistré.',
    syncTitle: 'Journaux de livraison',
    syncIntro: 'Confirme, d’après les journaux de Sweego, les livraisons et rebonds dont le webhook n’est jamais arrivé. Le worker le fait seul toutes les quelques minutes.',
    sync: 'Synchroniser les journaux maintenant',
    syncing: 'Synchronisation…',
    nothingPending: 'Aucun email n’attend de confirmation de Sweego : rien à synchroniser.',
    synced: '{pending} emails attendaient ; {pages} pages et {records} entrées de journal lues, dont {matched} les concernant ; {applied} confirmés ou marqués non livrés.',
  },
});

export function SweegoSettings() {
  const words = useWords();
  const settings = useLoad(() => get<SweegoSettingsView>('/api/settings/sweego'), []);
  const [report, setReport] = useState<SyncReport | null>(null);
  const [flash, setFlash] = useFlash();
  const [version, setVersion] = useState(0);
  const saved = async () => {
    setFlash(words.saved);
    await settings.reload();
    setVersion((v) => v + 1);
  };
  return (
    <div className="settings-sweego">
      <p className="hint">{words.intro}</p>
      <ErrorNote error={settings.error} onRetry={() => void settings.reload()} />
      {settings.loading && !settings.data ? <Loading /> : settings.data && <SettingsForm key={version} current={settings.data} onSaved={() => void saved()} flash={flash} />}
      <div className="card">
        <h2>{words.syncTitle}</h2>
        <p className="hint">{words.syncIntro}</p>
        <div className="row">
          <ActionButton
            busy={words.syncing}
            action={async () => {
              setReport(null);
              return post<SyncReport>('/api/sweego/sync');
            }}
            onDone={(answer) => setReport(answer as SyncReport)}
          >
            {words.sync}
          </ActionButton>
          {report && (
            <span className="test-result ok" role="status">
              {report.pending === 0 ? words.nothingPending : fill(words.synced, { ...report })}
            </span>
          )}
        </div>
      </div>
    </div>
  );
}

// Remounted with what the server answers after each save, so the fields show what is stored.
function SettingsForm({ current, onSaved, flash }: { current: SweegoSettingsView; onSaved: () => void; flash: string | null }) {
  const words = useWords();
  const [apiKey, setApiKey] = useState('');
  const [removeKey, setRemoveKey] = useState(false);
  const [clientUuid, setClientUuid] = useState(current.clientUuid ?? '');
  const [apiUrl, setApiUrl] = useState(current.apiUrl === DEFAULT_API_URL ? '' : current.apiUrl);
  const save = () => {
    const body: Record<string, unknown> = { clientUuid: clientUuid.trim() || null, apiUrl: apiUrl.trim() || null };
    // The key is never shown: empty keeps it, unless asked to remove it.
    if (apiKey.trim() !== '') body.apiKey = apiKey.trim();
    else if (removeKey) body.apiKey = null;
    return patch<SweegoSettingsView>('/api/settings/sweego', body);
  };
  return (
    <div className="card">
      <p className={`key-state ${current.hasApiKey ? 'ok' : ''}`}>{current.hasApiKey ? words.keySet : words.keyUnset}</p>
      <div className="grid-form">
        <Field label={words.apiKey}>
          <input type="password" value={apiKey} onChange={(e) => setApiKey(e.target.value)} autoComplete="off" disabled={removeKey} />
        </Field>
        <Field label={words.clientUuid} hint={words.clientUuidHint}>
          <input value={clientUuid} onChange={(e) => setClientUuid(e.target.value)} placeholder="3f2b8c1e-…" />
        </Field>
        <Field label={words.apiUrl} hint={fill(words.apiUrlHint, { url: DEFAULT_API_URL })}>
          <input value={apiUrl} onChange={(e) => setApiUrl(e.target.value)} placeholder={DEFAULT_API_URL} />
        </Field>
      </div>
      {current.hasApiKey && (
        <label className="check">
          <input type="checkbox" checked={removeKey} onChange={(e) => setRemoveKey(e.target.checked)} />
          {words.removeKey}
        </label>
      )}
      <div className="row">
        <ActionButton
          className="primary"
          action={save}
          busy={words.saving}
          onDone={onSaved}
        >
          {words.save}
        </ActionButton>
        <Flash text={flash} />
      </div>
    </div>
  );
}
