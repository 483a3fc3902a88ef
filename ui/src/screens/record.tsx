// One record: its name and its chatter.
import { get, recordPath } from '../api.ts';
import { Chatter } from '../chatter/chatter.tsx';
import { ErrorNote, useLoad } from '../components.tsx';
import { messages } from '../i18n.tsx';
import { Link } from '../router.tsx';

const useWords = messages({ en: { back: '← Records' }, fr: { back: '← Enregistrements' } });

export function RecordScreen({ model, resId }: { model: string; resId: string }) {
  const words = useWords();
  const record = useLoad(() => get<{ name: string }>(recordPath(model, resId)), [model, resId]);
  return (
    <section className="record">
      <nav className="breadcrumb">
        <Link to={`/records?model=${encodeURIComponent(model)}`}>{words.back}</Link>
      </nav>
      <h1>
        {record.data?.name ?? resId} <small>{model} {resId}</small>
      </h1>
      <ErrorNote error={record.error} />
      {!record.error && <Chatter model={model} resId={resId} />}
    </section>
  );
}
