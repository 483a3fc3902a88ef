// Subtypes (seed 000 §2): what a message is about, and so who among the followers hears of it.
// Defined for every model or for one; a child model's subtype may follow a parent's.
import { useState } from 'react';
import { get, patch, post } from '../api.ts';
import type { Subtype as ChatterSubtype } from '../chatter/types.ts';
import { Field, FormButtons, useFlash, useLoad } from '../components.tsx';
import { fill, messages } from '../i18n.tsx';
import { AddBar, ListTable, LoadedList, useEditing } from '../lists.tsx';

/** A subtype as the chatter sees it, with what only its settings show. */
interface Subtype extends ChatterSubtype {
  sequence: number;
  parentSubtypeId: number | null;
}

interface Draft {
  code: string;
  name: string;
  description: string;
  model: string;
  internal: boolean;
  isDefault: boolean;
  hidden: boolean;
  sequence: string;
  /** The parent subtype's id, or '' for none. */
  parent: string;
}

const useWords = messages({
  en: {
    intro: 'Followers choose the subtypes they hear of. A subtype for one model only shows on its records; an internal one is seen by internal users only, like notes.',
    create: 'New subtype', none: 'No subtype yet.', code: 'Code', name: 'Name', description: 'Description', model: 'Model', everyModel: 'Every model',
    flags: 'Options', internal: 'Internal', isDefault: 'Given to new followers', hidden: 'Hidden', sequence: 'Order', parent: 'Follows the parent subtype',
    noParent: 'None', edit: 'Edit', editing: 'Edit “{name}”', creating: 'New subtype', save: 'Save', saving: 'Saving…', saved: 'Saved.', cancel: 'Close',
    codeHint: 'Lowercase letters, digits, _ and . (e.g. quotation_sent)', modelHint: 'Empty: every model.',
    parentHint: 'A subtype of the parent record (e.g. the sales team) whose followers hear of this one; needs a model.',
    internalChip: 'internal', defaultChip: 'default', hiddenChip: 'hidden',
  },
  fr: {
    intro: 'Les abonnés choisissent les sous-types dont ils sont avertis. Un sous-type propre à un modèle n’apparaît que sur ses enregistrements ; un sous-type interne n’est vu que des utilisateurs internes, comme les notes.',
    create: 'Nouveau sous-type', none: 'Aucun sous-type pour l’instant.', code: 'Code', name: 'Nom', description: 'Description', model: 'Modèle', everyModel: 'Tous les modèles',
    flags: 'Options', internal: 'Interne', isDefault: 'Donné aux nouveaux abonnés', hidden: 'Masqué', sequence: 'Ordre', parent: 'Suit le sous-type parent',
    noParent: 'Aucun', edit: 'Modifier', editing: 'Modifier « {name} »', creating: 'Nouveau sous-type', save: 'Enregistrer', saving: 'Enregistrement…', saved: 'Enregistré.', cancel: 'Fermer',
    codeHint: 'Minuscules, chiffres, _ et . (ex. quotation_sent)', modelHint: 'Vide : tous les modèles.',
    parentHint: 'Un sous-type de l’enregistrement parent (ex. l’équipe commerciale) dont les abonnés sont avertis de celui-ci ; demande un modèle.',
    internalChip: 'interne', defaultChip: 'par défaut', hiddenChip: 'masqué',
  },
});

const EMPTY: Draft = { code: '', name: '', description: '', model: '', internal: false, isDefault: false, hidden: false, sequence: '10', parent: '' };

function draftOf(subtype: Subtype): Draft {
  return {
    code: subtype.code,
    name: subtype.name,
    description: subtype.description ?? '',
    model: subtype.model ?? '',
    internal: subtype.internal,
    isDefault: subtype.isDefault,
    hidden: subtype.hidden,
    sequence: String(subtype.sequence),
    parent: subtype.parentSubtypeId ? String(subtype.parentSubtypeId) : '',
  };
}

export function SubtypesSettings() {
  const words = useWords();
  const subtypes = useLoad(() => get<Subtype[]>('/api/subtypes'), []);
  const { editing, setEditing, open, opened, isEditing } = useEditing<Subtype>();
  const all = subtypes.data ?? [];
  const byId = new Map(all.map((s) => [s.id, s]));
  return (
    <div>
      <p className="hint">{words.intro}</p>
      <AddBar label={words.create} onAdd={() => open('new')} />
      {editing && (
        <SubtypeForm
          key={opened}
          subtype={editing === 'new' ? null : editing}
          all={all}
          onSaved={(saved) => {
            setEditing(saved);
            void subtypes.reload();
          }}
          onClose={() => setEditing(null)}
        />
      )}
      <LoadedList loaded={subtypes} empty={words.none}>
        {(items) => (
          <ListTable headers={[words.name, words.code, words.model, words.flags, words.parent, '']}>
            {items.map((s) => {
              const parent = s.parentSubtypeId ? byId.get(s.parentSubtypeId) : undefined;
              return (
                <tr key={s.id} className={isEditing(s.id) ? 'selected' : undefined}>
                  <td>
                    {s.name}
                    {s.description && <div className="hint">{s.description}</div>}
                  </td>
                  <td>
                    <code>{s.code}</code>
                  </td>
                  <td>{s.model ?? <span className="hint">{words.everyModel}</span>}</td>
                  <td>
                    <div className="row">
                      {s.internal && <span className="state-chip">{words.internalChip}</span>}
                      {s.isDefault && <span className="state-chip ok">{words.defaultChip}</span>}
                      {s.hidden && <span className="state-chip">{words.hiddenChip}</span>}
                    </div>
                  </td>
                  <td>{parent ? `${parent.name} (${parent.model ?? words.everyModel})` : ''}</td>
                  <td>
                    <button type="button" aria-label={`${words.edit} ${s.name}`} onClick={() => open(s)}>
                      {words.edit}
                    </button>
                  </td>
                </tr>
              );
            })}
          </ListTable>
        )}
      </LoadedList>
    </div>
  );
}

function SubtypeForm({ subtype, all, onSaved, onClose }: { subtype: Subtype | null; all: Subtype[]; onSaved: (saved: Subtype) => void; onClose: () => void }) {
  const words = useWords();
  const [draft, setDraft] = useState<Draft>(subtype ? draftOf(subtype) : EMPTY);
  const [flash, setFlash] = useFlash();
  const change = (values: Partial<Draft>) => setDraft((d) => ({ ...d, ...values }));
  const parents = all.filter((s) => s.id !== subtype?.id);
  const save = () => {
    const parent = parents.find((s) => String(s.id) === draft.parent);
    const body = {
      code: draft.code.trim(),
      name: draft.name.trim(),
      description: draft.description.trim() || null,
      model: draft.model.trim() || null,
      internal: draft.internal,
      isDefault: draft.isDefault,
      hidden: draft.hidden,
      sequence: Number(draft.sequence) || 0,
      parent: parent ? { code: parent.code, model: parent.model ?? '' } : null,
    };
    return subtype ? patch<Subtype>(`/api/subtypes/${subtype.id}`, body) : post<Subtype>('/api/subtypes', body);
  };
  const title = subtype ? fill(words.editing, { name: subtype.name }) : words.creating;
  return (
    <section className="card" aria-label={title}>
      <h2>{title}</h2>
      <div className="grid-form">
        <Field label={words.code} hint={words.codeHint}>
          <input value={draft.code} onChange={(e) => change({ code: e.target.value })} maxLength={64} />
        </Field>
        <Field label={words.name}>
          <input value={draft.name} onChange={(e) => change({ name: e.target.value })} maxLength={200} />
        </Field>
        <Field label={words.model} hint={words.modelHint}>
          <input value={draft.model} onChange={(e) => change({ model: e.target.value })} maxLength={128} placeholder="sale.order" />
        </Field>
        <Field label={words.sequence}>
          <input type="number" value={draft.sequence} onChange={(e) => change({ sequence: e.target.value })} />
        </Field>
        <Field label={words.description}>
          <input value={draft.description} onChange={(e) => change({ description: e.target.value })} maxLength={1000} />
        </Field>
        <Field label={words.parent} hint={words.parentHint}>
          <select value={draft.parent} onChange={(e) => change({ parent: e.target.value })}>
            <option value="">{words.noParent}</option>
            {parents.map((s) => (
              <option key={s.id} value={s.id}>
                {s.name} — {s.model ?? words.everyModel}
              </option>
            ))}
          </select>
        </Field>
      </div>
      <div className="row">
        <label className="check">
          <input type="checkbox" checked={draft.internal} onChange={(e) => change({ internal: e.target.checked })} /> {words.internal}
        </label>
        <label className="check">
          <input type="checkbox" checked={draft.isDefault} onChange={(e) => change({ isDefault: e.target.checked })} /> {words.isDefault}
        </label>
        <label className="check">
          <input type="checkbox" checked={draft.hidden} onChange={(e) => change({ hidden: e.target.checked })} /> {words.hidden}
        </label>
      </div>
      <FormButtons
        words={words}
        save={save}
        disabled={!draft.code.trim() || !draft.name.trim()}
        onSaved={(saved) => {
          setFlash(words.saved);
          onSaved(saved as Subtype);
        }}
        onCancel={onClose}
        flash={flash}
      />
    </section>
  );
}
