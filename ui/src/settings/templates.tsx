// Mail templates: a subject and a body in Liquid, picked in the composer. The editor shows, as you
// type, the template rendered by Facteur on a record you choose, in a sandboxed frame.
import { useEffect, useRef, useState } from 'react';
import { del, get, patch, post, query } from '../api.ts';
import { ActionButton, ErrorNote, Field, FormButtons, Loading, useFlash, useLoad } from '../components.tsx';
import { fill, messages, useDateFormat } from '../i18n.tsx';
import { AddBar, ListTable, LoadedList, useEditing } from '../lists.tsx';

interface Template {
  id: number;
  name: string;
  model: string | null;
  subject: string;
  body: string;
  updatedAt: string;
}

interface RecordRow {
  id: number;
  model: string;
  resId: string;
  name: string;
}

type Draft = Pick<Template, 'name' | 'model' | 'subject' | 'body'>;

const useWords = messages({
  en: {
    intro: 'Templates fill the subject and the body of a message in the composer. They are written in Liquid and rendered on the record by Facteur.',
    create: 'New template', none: 'No template yet.', name: 'Name', model: 'Model', everyModel: 'Every model', updated: 'Updated',
    edit: 'Edit', delete: 'Delete', confirmDelete: 'Delete “{name}”?', yes: 'Yes, delete', no: 'Keep it', deleting: 'Deleting…',
    editing: 'Edit “{name}”', creating: 'New template', subject: 'Subject', body: 'Body (HTML and Liquid)',
    modelHint: 'Offered on records of this model only; leave empty for every model.',
    variables: 'Variables: {{ record.name }}, {{ record.model }}, {{ record.resId }}, {{ company.name }}, {{ user.name }}, {{ user.email }}, and {% for f in followers %}{{ f.name }} {{ f.email }}{% endfor %}.',
    save: 'Save', saving: 'Saving…', saved: 'Saved.', cancel: 'Close', preview: 'Live preview', findRecord: 'Find a record',
    findPlaceholder: 'Name or id', previewOn: 'Preview on', noRecord: 'No record (empty values)', rendering: 'Rendering…',
    previewSubject: 'Subject:', previewFrame: 'Rendered body', invalid: 'The template cannot be rendered:',
  },
  fr: {
    intro: 'Les modèles remplissent l’objet et le corps d’un message dans le compositeur. Ils sont écrits en Liquid et rendus sur l’enregistrement par Facteur.',
    create: 'Nouveau modèle', none: 'Aucun modèle pour l’instant.', name: 'Nom', model: 'Modèle de données', everyModel: 'Tous les modèles', updated: 'Modifié',
    edit: 'Modifier', delete: 'Supprimer', confirmDelete: 'Supprimer « {name} » ?', yes: 'Oui, supprimer', no: 'Le garder', deleting: 'Suppression…',
    editing: 'Modifier « {name} »', creating: 'Nouveau modèle', subject: 'Objet', body: 'Corps (HTML et Liquid)',
    modelHint: 'Proposé seulement sur les enregistrements de ce modèle ; vide pour tous les modèles.',
    variables: 'Variables : {{ record.name }}, {{ record.model }}, {{ record.resId }}, {{ company.name }}, {{ user.name }}, {{ user.email }}, et {% for f in followers %}{{ f.name }} {{ f.email }}{% endfor %}.',
    save: 'Enregistrer', saving: 'Enregistrement…', saved: 'Enregistré.', cancel: 'Fermer', preview: 'Aperçu en direct', findRecord: 'Trouver un enregistrement',
    findPlaceholder: 'Nom ou identifiant', previewOn: 'Aperçu sur', noRecord: 'Aucun enregistrement (valeurs vides)', rendering: 'Rendu…',
    previewSubject: 'Objet :', previewFrame: 'Corps rendu', invalid: 'Le modèle ne peut pas être rendu :',
  },
});

const EMPTY: Draft = { name: '', model: null, subject: '', body: '<p>Hello,</p>\n<p>{{ record.name }}</p>' };

export function TemplatesSettings() {
  const words = useWords();
  const formatDate = useDateFormat();
  const templates = useLoad(() => get<Template[]>('/api/templates'), []);
  // A new editor each time one is opened; saving a new template keeps the same editor (and its preview).
  const { editing, setEditing, open, opened, isEditing } = useEditing<Template>();
  const [confirming, setConfirming] = useState<number | null>(null);
  return (
    <div className="templates-settings">
      <p className="hint">{words.intro}</p>
      <AddBar label={words.create} onAdd={() => open('new')} />
      <LoadedList loaded={templates} empty={words.none}>
        {(items) => (
          <ListTable headers={[words.name, words.model, words.updated, '']}>
            {items.map((t) => (
              <tr key={t.id} className={isEditing(t.id) ? 'selected' : undefined}>
                <td>{t.name}</td>
                <td>{t.model ?? <span className="hint">{words.everyModel}</span>}</td>
                <td>{formatDate(t.updatedAt)}</td>
                <td>
                  <div className="row">
                    <button type="button" aria-label={`${words.edit} ${t.name}`} onClick={() => open(t)}>
                      {words.edit}
                    </button>
                    {confirming === t.id ? (
                      <>
                        <span>{fill(words.confirmDelete, { name: t.name })}</span>
                        <ActionButton
                          className="danger"
                          busy={words.deleting}
                          action={() => del(`/api/templates/${t.id}`)}
                          onDone={() => {
                            setConfirming(null);
                            if (isEditing(t.id)) setEditing(null);
                            void templates.reload();
                          }}
                        >
                          {words.yes}
                        </ActionButton>
                        <button type="button" onClick={() => setConfirming(null)}>
                          {words.no}
                        </button>
                      </>
                    ) : (
                      <button type="button" className="danger" aria-label={`${words.delete} ${t.name}`} onClick={() => setConfirming(t.id)}>
                        {words.delete}
                      </button>
                    )}
                  </div>
                </td>
              </tr>
            ))}
          </ListTable>
        )}
      </LoadedList>
      {editing && (
        <TemplateEditor
          key={opened}
          template={editing === 'new' ? null : editing}
          onSaved={(saved) => {
            setEditing(saved);
            void templates.reload();
          }}
          onClose={() => setEditing(null)}
        />
      )}
    </div>
  );
}

function TemplateEditor({ template, onSaved, onClose }: { template: Template | null; onSaved: (saved: Template) => void; onClose: () => void }) {
  const words = useWords();
  const [draft, setDraft] = useState<Draft>(template ?? EMPTY);
  const [flash, setFlash] = useFlash();
  const [record, setRecord] = useState<RecordRow | null>(null);
  const change = (values: Partial<Draft>) => setDraft((d) => ({ ...d, ...values }));
  const save = async () => {
    const values = { name: draft.name.trim(), model: draft.model?.trim() || null, subject: draft.subject, body: draft.body };
    return template ? patch<Template>(`/api/templates/${template.id}`, values) : post<Template>('/api/templates', values);
  };
  return (
    <section className="card template-editor" aria-label={template ? fill(words.editing, { name: template.name }) : words.creating}>
      <h2>{template ? fill(words.editing, { name: template.name }) : words.creating}</h2>
      <div className="split">
        <div className="template-fields">
          <Field label={words.name}>
            <input value={draft.name} onChange={(e) => change({ name: e.target.value })} required maxLength={200} />
          </Field>
          <Field label={words.model} hint={words.modelHint}>
            <ModelInput value={draft.model ?? ''} onChange={(model) => change({ model: model || null })} />
          </Field>
          <Field label={words.subject}>
            <input value={draft.subject} onChange={(e) => change({ subject: e.target.value })} maxLength={2000} />
          </Field>
          <Field label={words.body} hint={words.variables}>
            <textarea className="code" rows={12} value={draft.body} onChange={(e) => change({ body: e.target.value })} spellCheck={false} />
          </Field>
          <FormButtons
            words={words}
            save={save}
            disabled={!draft.name.trim() || !draft.body.trim()}
            onSaved={(saved) => {
              setFlash(words.saved);
              onSaved(saved as Template);
            }}
            onCancel={onClose}
            flash={flash}
          />
        </div>
        <div className="template-preview">
          <h3>{words.preview}</h3>
          <RecordChooser model={draft.model?.trim() || ''} record={record} onChoose={setRecord} />
          <LivePreview subject={draft.subject} body={draft.body} record={record} />
        </div>
      </div>
    </section>
  );
}

function ModelInput({ value, onChange }: { value: string; onChange: (model: string) => void }) {
  const models = useLoad(() => get<{ model: string; records: number }[]>('/api/models'), []);
  return (
    <>
      <input list="template-models" value={value} onChange={(e) => onChange(e.target.value)} maxLength={128} placeholder="sale.order" />
      <datalist id="template-models">
        {models.data?.map((m) => (
          <option key={m.model} value={m.model} />
        ))}
      </datalist>
    </>
  );
}

/** Searches records (of the template's model when it has one) and picks the one the preview uses. */
function RecordChooser({ model, record, onChoose }: { model: string; record: RecordRow | null; onChoose: (record: RecordRow | null) => void }) {
  const words = useWords();
  const [text, setText] = useState('');
  const [typed, setTyped] = useState('');
  useEffect(() => {
    const timer = setTimeout(() => setText(typed.trim()), 300);
    return () => clearTimeout(timer);
  }, [typed]);
  const records = useLoad(() => get<RecordRow[]>(`/api/records${query({ model, q: text, limit: 20 })}`), [model, text]);
  const found = records.data ?? [];
  // The chosen record stays offered while the search shows others, so the select never lies.
  const options = record && !found.some((r) => r.id === record.id) ? [record, ...found] : found;
  useEffect(() => {
    if (!record && found.length > 0) onChoose(found[0]!);
  }, [records.data]); // eslint-disable-line react-hooks/exhaustive-deps
  return (
    <div className="row record-chooser">
      <input type="search" aria-label={words.findRecord} placeholder={words.findPlaceholder} value={typed} onChange={(e) => setTyped(e.target.value)} />
      <label>
        {words.previewOn}{' '}
        <select value={record?.id ?? ''} onChange={(e) => onChoose(options.find((r) => String(r.id) === e.target.value) ?? null)}>
          <option value="">{words.noRecord}</option>
          {options.map((r) => (
            <option key={r.id} value={r.id}>
              {r.name} ({r.model} {r.resId})
            </option>
          ))}
        </select>
      </label>
      <ErrorNote error={records.error} />
    </div>
  );
}

/** Renders the unsaved text through Facteur 300 ms after the last keystroke; late answers are dropped. */
function LivePreview({ subject, body, record }: { subject: string; body: string; record: RecordRow | null }) {
  const words = useWords();
  const [rendered, setRendered] = useState<{ subject: string; bodyHtml: string } | null>(null);
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const generation = useRef(0);
  useEffect(() => {
    const mine = ++generation.current;
    const timer = setTimeout(() => {
      setBusy(true);
      post<{ subject: string; bodyHtml: string }>('/api/templates/preview', { subject, body, ...(record ? { model: record.model, resId: record.resId } : {}) })
        .then((result) => {
          if (mine !== generation.current) return;
          setRendered(result);
          setError(null);
        })
        .catch((failure: Error) => {
          if (mine === generation.current) setError(failure);
        })
        .finally(() => {
          if (mine === generation.current) setBusy(false);
        });
    }, 300);
    return () => clearTimeout(timer);
  }, [subject, body, record]);
  return (
    <div className="live-preview" aria-busy={busy}>
      {error && (
        <div className="error-note" role="alert">
          <strong>{words.invalid}</strong> {error.message}
        </div>
      )}
      {busy && !rendered && <Loading what={words.rendering} />}
      {rendered && (
        <div className={error ? 'stale' : undefined}>
          <p className="preview-subject">
            <strong>{words.previewSubject}</strong> <span data-testid="preview-subject">{rendered.subject}</span>
          </p>
          <iframe className="mail-html" title={words.previewFrame} sandbox="" srcDoc={`<!doctype html><html><body style="font-family: Arial, Helvetica, sans-serif; font-size: 14px;">${rendered.bodyHtml}</body></html>`} />
        </div>
      )}
    </div>
  );
}
