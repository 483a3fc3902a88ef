// The composer's template picker: a template's subject and body, rendered (Liquid) on this record by
// Facteur, fill the composer, where they can still be edited.
import { useState } from 'react';
import { get, post, query } from '../api.ts';
import { ErrorNote, useLoad } from '../components.tsx';
import { useChatterWords } from './words.ts';

interface TemplateSummary {
  id: number;
  name: string;
  model: string | null;
}

/** The rendered HTML as the text the composer edits (paragraphs and line breaks kept). */
function htmlToText(html: string): string {
  const element = document.createElement('div');
  element.innerHTML = html.replace(/<br\s*\/?>/gi, '\n').replace(/<\/p>\s*/gi, '\n\n');
  return (element.textContent ?? '').replace(/\n{3,}/g, '\n\n').trim();
}

export function TemplatePicker({ model, resId, onApply }: { model: string; resId: string; onApply: (rendered: { subject: string; text: string }) => void }) {
  const words = useChatterWords();
  const templates = useLoad(() => get<TemplateSummary[]>(`/api/templates${query({ model })}`), [model]);
  const [error, setError] = useState<Error | null>(null);
  if (!templates.data || templates.data.length === 0) return null;
  const apply = async (id: string) => {
    if (!id) return;
    setError(null);
    try {
      const rendered = await post<{ subject: string; bodyHtml: string }>(`/api/templates/${id}/render`, { model, resId });
      onApply({ subject: rendered.subject, text: htmlToText(rendered.bodyHtml) });
    } catch (failure) {
      setError(failure as Error);
    }
  };
  return (
    <>
      <select aria-label={words.template} value="" onChange={(e) => void apply(e.target.value)}>
        <option value="">{words.template}</option>
        {templates.data.map((t) => (
          <option key={t.id} value={t.id}>
            {t.name}
          </option>
        ))}
      </select>
      <ErrorNote error={error} />
    </>
  );
}
