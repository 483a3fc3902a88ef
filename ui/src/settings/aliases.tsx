// Aliases (seed 000 §3.3): mail to name@alias-domain creates a record of a model (under a parent
// whose followers follow it), or is posted on one record; the contact policy says who may write.
import { useState } from 'react';
import { del, get, post } from '../api.ts';
import { ActionButton, ErrorNote, Field, FormButtons, Loading, useFlash, useLoad } from '../components.tsx';
import { AddBar, HiddenHeader, ListTable, LoadedList } from '../lists.tsx';
import { fill, messages } from '../i18n.tsx';
import { Link } from '../router.tsx';
import { usePage, type Company } from './companies.tsx';

type ContactPolicy = 'everyone' | 'partners' | 'followers';

interface AliasRecord {
  model: string;
  resId: string;
  name: string;
}

interface Alias {
  id: number;
  name: string;
  domain: string;
  model: string;
  record: AliasRecord | null;
  parent: AliasRecord | null;
  contactPolicy: ContactPolicy;
  active: boolean;
}

const useWords = messages({
  en: {
    intro: 'Mail sent to an alias creates a record, or is posted on one record.',
    add: 'New alias',
    newTitle: 'New alias',
    address: 'Address',
    name: 'Alias name',
    nameHint: 'The part before the @, e.g. sales',
    domain: 'Alias domain',
    model: 'Model',
    modelHint: 'The model of the records it creates, e.g. crm.lead',
    target: 'What it does',
    createsRecords: 'Creates a record for each new conversation',
    postsOnRecord: 'Posts every message on one record',
    recordId: 'Record id (of the model)',
    parentModel: 'Parent record model (optional)',
    parentId: 'Parent record id (optional)',
    parentHint: 'New records get this parent; its followers follow them.',
    policy: 'Who may write',
    everyone: 'Everyone',
    partners: 'Known contacts only',
    followers: 'Followers only',
    creates: 'Creates {model}',
    postsOn: 'Posts on {record}',
    under: 'under {record}',
    inactive: 'inactive',
    none: 'No alias yet.',
    noDomain: 'No company has an alias domain yet: set one first.',
    toCompanies: 'Companies',
    save: 'Create',
    saving: 'Creating…',
    cancel: 'Cancel',
    created: 'Alias created.',
    deleted: 'Alias deleted.',
    delete: 'Delete',
    confirm: 'Delete {address}?',
    confirmYes: 'Yes, delete',
    deleting: 'Deleting…',
    actions: 'Actions',
  },
  fr: {
    intro: 'Un email envoyé à un alias crée un enregistrement, ou est publié sur un enregistrement.',
    add: 'Nouvel alias',
    newTitle: 'Nouvel alias',
    address: 'Adresse',
    name: 'Nom de l’alias',
    nameHint: 'La partie avant le @, p. ex. ventes',
    domain: 'Domaine alias',
    model: 'Modèle',
    modelHint: 'Le modèle des enregistrements créés, p. ex. crm.lead',
    target: 'Ce qu’il fait',
    createsRecords: 'Crée un enregistrement par nouvelle conversation',
    postsOnRecord: 'Publie chaque message sur un enregistrement',
    recordId: 'Identifiant de l’enregistrement (du modèle)',
    parentModel: 'Modèle de l’enregistrement parent (facultatif)',
    parentId: 'Identifiant de l’enregistrement parent (facultatif)',
    parentHint: 'Les nouveaux enregistrements ont ce parent ; ses abonnés les suivent.',
    policy: 'Qui peut écrire',
    everyone: 'Tout le monde',
    partners: 'Contacts connus seulement',
    followers: 'Abonnés seulement',
    creates: 'Crée {model}',
    postsOn: 'Publie sur {record}',
    under: 'sous {record}',
    inactive: 'inactif',
    none: 'Aucun alias pour l’instant.',
    noDomain: 'Aucune société n’a encore de domaine alias : définissez-en un d’abord.',
    toCompanies: 'Sociétés',
    save: 'Créer',
    saving: 'Création…',
    cancel: 'Annuler',
    created: 'Alias créé.',
    deleted: 'Alias supprimé.',
    delete: 'Supprimer',
    confirm: 'Supprimer {address} ?',
    confirmYes: 'Oui, supprimer',
    deleting: 'Suppression…',
    actions: 'Actions',
  },
});

const recordLabel = (r: AliasRecord) => `${r.name || `${r.model} ${r.resId}`} (${r.model} ${r.resId})`;

export function AliasesSettings() {
  const words = useWords();
  const aliases = useLoad(() => get<Alias[]>('/api/aliases'), []);
  const [adding, setAdding] = useState(false);
  const [confirming, setConfirming] = useState<number | null>(null);
  const [flash, setFlash] = useFlash();
  const { rows, pager } = usePage(aliases.data);
  const policies: Record<ContactPolicy, string> = { everyone: words.everyone, partners: words.partners, followers: words.followers };
  return (
    <div className="settings-aliases">
      <p className="hint">{words.intro}</p>
      <AddBar label={words.add} onAdd={() => setAdding(true)} disabled={adding} flash={flash} />
      {adding && (
        <AliasForm
          onCancel={() => setAdding(false)}
          onSaved={() => {
            setAdding(false);
            setFlash(words.created);
            void aliases.reload();
          }}
        />
      )}
      <LoadedList loaded={aliases} empty={words.none}>
        {() => (
          <ListTable headers={[words.address, words.target, words.policy, <HiddenHeader>{words.actions}</HiddenHeader>]}>
            {rows.map((alias) => {
              const address = `${alias.name}@${alias.domain}`;
              return (
                <tr key={alias.id} data-alias={alias.id}>
                  <td>
                    {address} {!alias.active && <span className="state-chip">{words.inactive}</span>}
                  </td>
                  <td>
                    {alias.record ? fill(words.postsOn, { record: recordLabel(alias.record) }) : fill(words.creates, { model: alias.model })}
                    {alias.parent && <> {fill(words.under, { record: recordLabel(alias.parent) })}</>}
                  </td>
                  <td>{policies[alias.contactPolicy]}</td>
                  <td>
                    {confirming === alias.id ? (
                      <span className="row">
                        {fill(words.confirm, { address })}
                        <ActionButton
                          className="danger"
                          busy={words.deleting}
                          action={() => del(`/api/aliases/${alias.id}`)}
                          onDone={() => {
                            setConfirming(null);
                            setFlash(words.deleted);
                            void aliases.reload();
                          }}
                        >
                          {words.confirmYes}
                        </ActionButton>
                        <button type="button" onClick={() => setConfirming(null)}>
                          {words.cancel}
                        </button>
                      </span>
                    ) : (
                      <button type="button" className="danger" aria-label={`${words.delete} ${address}`} onClick={() => setConfirming(alias.id)}>
                        {words.delete}
                      </button>
                    )}
                  </td>
                </tr>
              );
            })}
          </ListTable>
        )}
      </LoadedList>
      {pager}
    </div>
  );
}

function AliasForm({ onSaved, onCancel }: { onSaved: () => void; onCancel: () => void }) {
  const words = useWords();
  const companies = useLoad(() => get<Company[]>('/api/companies'), []);
  const domains = (companies.data ?? []).flatMap((c) => (c.aliasDomain ? [c.aliasDomain.domain] : []));
  const [name, setName] = useState('');
  const [domain, setDomain] = useState('');
  const [model, setModel] = useState('');
  const [postsOnRecord, setPostsOnRecord] = useState(false);
  const [recordId, setRecordId] = useState('');
  const [parentModel, setParentModel] = useState('');
  const [parentId, setParentId] = useState('');
  const [contactPolicy, setContactPolicy] = useState<ContactPolicy>('everyone');
  const chosenDomain = domain || domains[0] || '';
  const save = () =>
    post('/api/aliases', {
      name: name.trim(),
      domain: chosenDomain,
      model: model.trim(),
      record: postsOnRecord && recordId.trim() ? { model: model.trim(), resId: recordId.trim() } : null,
      parent: !postsOnRecord && parentModel.trim() && parentId.trim() ? { model: parentModel.trim(), resId: parentId.trim() } : null,
      contactPolicy,
    });
  if (companies.loading && !companies.data) return <Loading />;
  return (
    <div className="card">
      <h2>{words.newTitle}</h2>
      <ErrorNote error={companies.error} onRetry={() => void companies.reload()} />
      {companies.data && domains.length === 0 && (
        <p className="empty">
          {words.noDomain} <Link to="/settings/companies">{words.toCompanies}</Link>
        </p>
      )}
      <div className="grid-form">
        <Field label={words.name} hint={words.nameHint}>
          <input value={name} onChange={(e) => setName(e.target.value)} autoFocus />
        </Field>
        <Field label={words.domain}>
          <select value={chosenDomain} onChange={(e) => setDomain(e.target.value)}>
            {domains.map((d) => (
              <option key={d} value={d}>
                @{d}
              </option>
            ))}
          </select>
        </Field>
        <Field label={words.model} hint={words.modelHint}>
          <input value={model} onChange={(e) => setModel(e.target.value)} />
        </Field>
        <Field label={words.policy}>
          <select value={contactPolicy} onChange={(e) => setContactPolicy(e.target.value as ContactPolicy)}>
            <option value="everyone">{words.everyone}</option>
            <option value="partners">{words.partners}</option>
            <option value="followers">{words.followers}</option>
          </select>
        </Field>
      </div>
      <fieldset className="alias-target">
        <legend>{words.target}</legend>
        <label className="check">
          <input type="radio" name="alias-target" checked={!postsOnRecord} onChange={() => setPostsOnRecord(false)} />
          {words.createsRecords}
        </label>
        <label className="check">
          <input type="radio" name="alias-target" checked={postsOnRecord} onChange={() => setPostsOnRecord(true)} />
          {words.postsOnRecord}
        </label>
      </fieldset>
      <div className="grid-form">
        {postsOnRecord ? (
          <Field label={words.recordId}>
            <input value={recordId} onChange={(e) => setRecordId(e.target.value)} />
          </Field>
        ) : (
          <>
            <Field label={words.parentModel} hint={words.parentHint}>
              <input value={parentModel} onChange={(e) => setParentModel(e.target.value)} />
            </Field>
            <Field label={words.parentId}>
              <input value={parentId} onChange={(e) => setParentId(e.target.value)} />
            </Field>
          </>
        )}
      </div>
      <FormButtons words={words} save={save} onSaved={onSaved} onCancel={onCancel} disabled={domains.length === 0} />
    </div>
  );
}
