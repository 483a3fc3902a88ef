// Browsing records by model, with a search on their name (or exact id), 50 to a page.
import { useState, type FormEvent } from 'react';
import { get, query } from '../api.ts';
import { ErrorNote, Loading, useLoad } from '../components.tsx';
import { ListTable } from '../lists.tsx';
import { messages, useDateFormat } from '../i18n.tsx';
import { Link, setQuery, useLocation } from '../router.tsx';

const PAGE = 50;

interface RecordRow {
  id: number;
  model: string;
  resId: string;
  name: string;
  updatedAt: string;
}

const useWords = messages({
  en: { title: 'Records', model: 'Model', all: 'All models', search: 'Search', searchPlaceholder: 'Name or id', none: 'No records match.', previous: '← Previous', next: 'Next →', name: 'Name', id: 'Id', updated: 'Updated', page: 'Page {n}' },
  fr: { title: 'Enregistrements', model: 'Modèle', all: 'Tous les modèles', search: 'Rechercher', searchPlaceholder: 'Nom ou identifiant', none: 'Aucun enregistrement ne correspond.', previous: '← Précédent', next: 'Suivant →', name: 'Nom', id: 'Id', updated: 'Modifié', page: 'Page {n}' },
});

export function RecordsScreen() {
  const words = useWords();
  const formatDate = useDateFormat();
  const { query: params } = useLocation();
  const model = params.get('model') ?? '';
  const text = params.get('q') ?? '';
  const offset = Number(params.get('offset') ?? 0);
  const [typed, setTyped] = useState(text);
  const models = useLoad(() => get<{ model: string; records: number }[]>('/api/models'), []);
  const records = useLoad(() => get<RecordRow[]>(`/api/records${query({ model, q: text, limit: PAGE, offset })}`), [model, text, offset]);
  const search = (event: FormEvent) => {
    event.preventDefault();
    setQuery({ q: typed.trim() || undefined, offset: undefined });
  };
  return (
    <section>
      <h1>{words.title}</h1>
      <form className="filters" onSubmit={search} role="search">
        <label>
          {words.model}{' '}
          <select value={model} onChange={(e) => setQuery({ model: e.target.value || undefined, offset: undefined })}>
            <option value="">{words.all}</option>
            {models.data?.map((m) => (
              <option key={m.model} value={m.model}>
                {m.model} ({m.records})
              </option>
            ))}
          </select>
        </label>
        <input type="search" aria-label={words.search} placeholder={words.searchPlaceholder} value={typed} onChange={(e) => setTyped(e.target.value)} />
        <button type="submit">{words.search}</button>
      </form>
      <ErrorNote error={records.error} onRetry={() => void records.reload()} />
      {records.loading && !records.data ? (
        <Loading />
      ) : (
        <ListTable headers={[words.name, words.model, words.id, words.updated]}>
          {records.data?.map((r) => (
            <tr key={r.id}>
              <td>
                <Link to={`/records/${encodeURIComponent(r.model)}/${encodeURIComponent(r.resId)}`}>{r.name}</Link>
              </td>
              <td>{r.model}</td>
              <td>{r.resId}</td>
              <td>{formatDate(r.updatedAt)}</td>
            </tr>
          ))}
        </ListTable>
      )}
      {records.data?.length === 0 && <p className="empty">{words.none}</p>}
      <div className="pager">
        <button type="button" disabled={offset === 0} onClick={() => setQuery({ offset: offset - PAGE > 0 ? String(offset - PAGE) : undefined })}>
          {words.previous}
        </button>
        <span>{words.page.replace('{n}', String(offset / PAGE + 1))}</span>
        <button type="button" disabled={(records.data?.length ?? 0) < PAGE} onClick={() => setQuery({ offset: String(offset + PAGE) })}>
          {words.next}
        </button>
      </div>
    </section>
  );
}
