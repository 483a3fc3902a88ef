// The composer (seed 000 §3): "Send message" notifies the followers (and anyone added), "Log note" is
// internal. Typing @ suggests partners; a chosen one is mentioned (@[Name](partner:ID) for the API),
// which notifies them. Templates fill the subject and body; files are attached.
import { useId, useLayoutEffect, useRef, useState, type FormEvent, type KeyboardEvent } from 'react';
import { post, recordPath } from '../api.ts';
import { ErrorNote, fileToBase64, useMe } from '../components.tsx';
import { listKeys, PartnerOptions, PartnerPicker, usePartnerMatches } from './partner-search.tsx';
import { PaperclipIcon } from '../icons.tsx';
import { TemplatePicker } from './template-picker.tsx';
import type { Partner } from './types.ts';
import { useChatterWords } from './words.ts';

type Kind = 'comment' | 'note';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Plain text to the HTML the API takes, each chosen "@Name" becoming a mention of that partner. */
export function bodyToHtml(text: string, mentions: Partner[]): string {
  let html = escapeHtml(text);
  for (const partner of mentions) {
    const shown = `@${escapeHtml(partner.name)}`;
    if (html.includes(shown)) html = html.split(shown).join(`@[${escapeHtml(partner.name)}](partner:${partner.id})`);
  }
  return html
    .split(/\n{2,}/)
    .map((paragraph) => `<p>${paragraph.replace(/\n/g, '<br>')}</p>`)
    .join('');
}

/** The "@word" being typed just before the caret, if any. */
function mentionAt(text: string, caret: number): { start: number; word: string } | null {
  const match = /(^|\s)@([^\s@]{0,40})$/u.exec(text.slice(0, caret));
  return match ? { start: caret - match[2]!.length - 1, word: match[2]! } : null;
}

export function Composer({ model, resId, onPosted }: { model: string; resId: string; onPosted: () => void }) {
  const words = useChatterWords();
  const me = useMe();
  const listId = useId();
  const [kind, setKind] = useState<Kind>('comment');
  const [text, setText] = useState('');
  const [subject, setSubject] = useState('');
  const [recipients, setRecipients] = useState<Partner[]>([]);
  const [mentions, setMentions] = useState<Partner[]>([]);
  const [files, setFiles] = useState<File[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const [typing, setTyping] = useState<{ start: number; word: string } | null>(null);
  const [active, setActive] = useState(0);
  const area = useRef<HTMLTextAreaElement>(null);
  // Where the caret goes once a chosen mention is in the text: set as soon as React has written it,
  // before the next keystroke (a later frame would move the caret back under a fast typist's text).
  const pendingCaret = useRef<number | null>(null);
  useLayoutEffect(() => {
    if (pendingCaret.current === null) return;
    area.current?.setSelectionRange(pendingCaret.current, pendingCaret.current);
    pendingCaret.current = null;
  }, [text]);
  const fileInput = useRef<HTMLInputElement>(null);
  const internal = me.role === 'internal';
  const matches = usePartnerMatches(internal && typing && typing.word.length > 0 ? typing.word : null);

  const track = (value: string, caret: number) => {
    setText(value);
    setTyping(mentionAt(value, caret));
    setActive(0);
  };
  const mention = (partner: Partner | undefined) => {
    if (!partner || !typing || !area.current) return;
    const caret = area.current.selectionStart;
    const inserted = `@${partner.name} `;
    const next = text.slice(0, typing.start) + inserted + text.slice(caret);
    setText(next);
    setMentions((list) => (list.some((p) => p.id === partner.id) ? list : [...list, partner]));
    setTyping(null);
    pendingCaret.current = typing.start + inserted.length;
  };
  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (typing && listKeys(event, matches.length, active, setActive, () => mention(matches[active]), () => setTyping(null))) return;
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) void submit();
  };

  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    if (!text.trim() && files.length === 0) {
      setError(new Error(words.empty));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      const attachments = await Promise.all(
        files.map(async (file) => ({ filename: file.name, contentType: file.type || 'application/octet-stream', contentBase64: await fileToBase64(file) })),
      );
      await post(`${recordPath(model, resId)}/messages`, {
        kind,
        body: bodyToHtml(text, mentions),
        ...(kind === 'comment' && subject.trim() ? { subject: subject.trim() } : {}),
        ...(kind === 'comment' && recipients.length > 0 ? { recipientIds: recipients.map((p) => p.id) } : {}),
        ...(attachments.length > 0 ? { attachments } : {}),
      });
      setText('');
      setSubject('');
      setRecipients([]);
      setMentions([]);
      setFiles([]);
      if (fileInput.current) fileInput.current.value = '';
      onPosted();
    } catch (failure) {
      setError(failure as Error);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className={`composer ${kind}`} onSubmit={submit}>
      <div className="tabs" role="tablist">
        <button type="button" role="tab" aria-selected={kind === 'comment'} onClick={() => setKind('comment')}>
          {words.sendMessage}
        </button>
        {internal && (
          <button type="button" role="tab" aria-selected={kind === 'note'} onClick={() => setKind('note')}>
            {words.logNote}
          </button>
        )}
      </div>
      {kind === 'comment' && internal && (
        <div className="recipients">
          {recipients.map((p) => (
            <span className="chip" key={p.id}>
              {p.name}
              <button type="button" aria-label={`${words.remove} ${p.name}`} onClick={() => setRecipients((list) => list.filter((r) => r.id !== p.id))}>
                ×
              </button>
            </span>
          ))}
          <PartnerPicker label={words.addRecipient} exclude={recipients.map((p) => p.id)} onPick={(p) => setRecipients((list) => [...list, p])} />
        </div>
      )}
      {kind === 'comment' && (
        <input className="subject-input" aria-label={words.subject} placeholder={words.subject} value={subject} onChange={(e) => setSubject(e.target.value)} />
      )}
      <div className="mention-box">
        <textarea
          ref={area}
          aria-label={kind === 'note' ? words.logNote : words.sendMessage}
          placeholder={kind === 'note' ? words.notePlaceholder : words.messagePlaceholder}
          role="combobox"
          aria-expanded={matches.length > 0}
          aria-controls={listId}
          aria-autocomplete="list"
          rows={3}
          value={text}
          onChange={(e) => track(e.target.value, e.target.selectionStart)}
          onKeyDown={onKeyDown}
          onBlur={() => setTimeout(() => setTyping(null), 150)}
        />
        {typing && <PartnerOptions id={listId} matches={matches} active={active} onPick={mention} />}
      </div>
      {files.length > 0 && (
        <ul className="attachments">
          {files.map((file) => (
            <li key={file.name}>
              <PaperclipIcon /> {file.name}
            </li>
          ))}
        </ul>
      )}
      <div className="composer-actions">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? words.sending : kind === 'note' ? words.log : words.send}
        </button>
        <label className="button">
          <PaperclipIcon /> {words.attach}
          <input ref={fileInput} type="file" multiple className="sr-only" onChange={(e) => setFiles([...(e.target.files ?? [])])} />
        </label>
        {internal && (
          <TemplatePicker
            model={model}
            resId={resId}
            onApply={(rendered) => {
              setSubject(rendered.subject);
              setText(rendered.text);
            }}
          />
        )}
      </div>
      <ErrorNote error={error} />
    </form>
  );
}
