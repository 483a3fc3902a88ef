// A record's chatter: the composer, the thread (newest first, read by pages of 30 as one scrolls), and
// the followers. It stays live: a new message, a delivery report or a follower change announced by
// Facteur (GET /api/live) is read again at once — only what changed.
import { useCallback, useEffect, useRef, useState } from 'react';
import { get, query, recordPath } from '../api.ts';
import { ErrorNote, Loading, useLoad } from '../components.tsx';
import { useLive } from '../live.ts';
import { Composer } from './composer.tsx';
import { Followers } from './followers.tsx';
import { MessageItem } from './message.tsx';
import type { Follower, Subtype, Thread, ThreadMessage } from './types.ts';
import { useChatterWords } from './words.ts';

const PAGE = 30;

/** Newest first, without duplicates; fresh copies replace stale ones. */
function merge(current: ThreadMessage[], fresh: ThreadMessage[]): ThreadMessage[] {
  const byId = new Map(current.map((m) => [m.id, m]));
  for (const message of fresh) byId.set(message.id, message);
  return [...byId.values()].sort((a, b) => b.id - a.id);
}

export function Chatter({ model, resId }: { model: string; resId: string }) {
  const words = useChatterWords();
  const base = recordPath(model, resId);
  const [messages, setMessages] = useState<ThreadMessage[]>([]);
  const [recordId, setRecordId] = useState<number | null>(null);
  const [nextBefore, setNextBefore] = useState<number | null>(null);
  const [state, setState] = useState<'loading' | 'ready' | 'older'>('loading');
  const [error, setError] = useState<Error | null>(null);
  const followers = useLoad(() => get<Follower[]>(`${base}/followers`), [base]);
  const subtypes = useLoad(() => get<Subtype[]>(`/api/subtypes${query({ model })}`), [model]);
  const sentinel = useRef<HTMLDivElement>(null);
  const shownIds = useRef(new Set<number>());
  shownIds.current = new Set(messages.map((m) => m.id));

  const readNewest = useCallback(async () => {
    try {
      const thread = await get<Thread>(`${base}/messages${query({ limit: PAGE })}`);
      setRecordId(thread.recordId);
      setMessages((current) => merge(current, thread.messages));
      setError(null);
    } catch (failure) {
      setError(failure as Error);
    }
  }, [base]);

  useEffect(() => {
    let current = true;
    setState('loading');
    setMessages([]);
    get<Thread>(`${base}/messages${query({ limit: PAGE })}`)
      .then((thread) => {
        if (!current) return;
        setRecordId(thread.recordId);
        setMessages(thread.messages);
        setNextBefore(thread.nextBefore);
        setState('ready');
      })
      .catch((failure: Error) => {
        if (!current) return;
        setError(failure);
        setState('ready');
      });
    return () => {
      current = false;
    };
  }, [base]);

  const readOlder = useCallback(async () => {
    if (nextBefore === null || state !== 'ready') return;
    setState('older');
    try {
      const thread = await get<Thread>(`${base}/messages${query({ limit: PAGE, before: nextBefore })}`);
      setMessages((current) => merge(current, thread.messages));
      setNextBefore(thread.nextBefore);
    } catch (failure) {
      setError(failure as Error);
    } finally {
      setState('ready');
    }
  }, [base, nextBefore, state]);

  // Older pages load as the end of the thread scrolls into view (and with the button, for keyboards).
  useEffect(() => {
    const element = sentinel.current;
    if (!element || nextBefore === null) return;
    const observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && void readOlder(), { rootMargin: '400px' });
    observer.observe(element);
    return () => observer.disconnect();
  }, [readOlder, nextBefore]);

  const refreshMessages = useCallback(
    async (ids: number[]) => {
      if (ids.length === 0) return;
      try {
        const thread = await get<Thread>(`${base}/messages${query({ limit: ids.length, ids: ids.join(',') })}`);
        setMessages((current) => merge(current, thread.messages));
      } catch (failure) {
        setError(failure as Error);
      }
    },
    [base],
  );

  useLive((change) => {
    const ours = change.all || (recordId !== null && change.records?.includes(recordId));
    if (ours) void readNewest();
    const changed = (change.messages ?? []).filter((id) => shownIds.current.has(id));
    if (changed.length > 0 && !ours) void refreshMessages(changed);
    if (ours && (change.all || change.topics?.includes('followers'))) void followers.reload();
    if (change.reconnected) void followers.reload();
  });

  return (
    <div className="chatter">
      <div className="chatter-main">
        <Composer model={model} resId={resId} onPosted={() => void readNewest()} />
        <ErrorNote error={error} onRetry={() => void readNewest()} />
        {state === 'loading' ? (
          <Loading />
        ) : (
          <div className="thread" aria-live="polite" aria-busy={state !== 'ready'} data-testid="thread">
            {messages.length === 0 && !error && <p className="empty">{words.noMessages}</p>}
            {messages.map((message) => (
              <MessageItem key={message.id} message={message} />
            ))}
            {nextBefore !== null && (
              <div ref={sentinel} className="older">
                <button type="button" onClick={() => void readOlder()} disabled={state === 'older'}>
                  {state === 'older' ? words.loadingOlder : words.older}
                </button>
              </div>
            )}
          </div>
        )}
      </div>
      <aside className="chatter-side">
        <ErrorNote error={followers.error ?? subtypes.error} onRetry={() => void followers.reload()} />
        {followers.data && <Followers model={model} resId={resId} followers={followers.data} subtypes={subtypes.data ?? []} onChanged={() => void followers.reload()} />}
      </aside>
    </div>
  );
}
