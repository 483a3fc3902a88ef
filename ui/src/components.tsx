// Pieces every screen uses: loading data with its error, buttons that show their progress and their
// failure in words, and the logged-in user.
import { createContext, useCallback, useContext, useEffect, useRef, useState, type ButtonHTMLAttributes, type ReactNode } from 'react';
import { ApiError } from './api.ts';
import { messages } from './i18n.tsx';

export interface Me {
  id: number;
  partnerId: number;
  login: string;
  name: string;
  email: string | null;
  role: 'internal' | 'portal';
  notification: 'email' | 'inbox';
  isAdmin: boolean;
  language: 'en' | 'fr' | null;
  embed: { model: string; resId: string } | null;
}

export const SessionContext = createContext<{ me: Me; setMe: (me: Me | null) => void } | null>(null);

export function useMe(): Me {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useMe outside a session');
  return session.me;
}

export function useSession() {
  const session = useContext(SessionContext);
  if (!session) throw new Error('useSession outside a session');
  return session;
}

const useWords = messages({
  en: { loading: 'Loading…', working: 'Working…', retry: 'Try again', failed: 'That did not work:', network: 'Facteur cannot be reached.' },
  fr: { loading: 'Chargement…', working: 'En cours…', retry: 'Réessayer', failed: 'Cela n’a pas fonctionné :', network: 'Facteur est injoignable.' },
});

export interface Loaded<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  /** Reads again, keeping what is shown until the new answer arrives. */
  reload: () => Promise<void>;
}

/** Loads on mount and whenever `deps` change; answers that arrive late for older deps are dropped. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[]): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: true });
  const generation = useRef(0);
  const latest = useRef(load);
  latest.current = load;
  const reload = useCallback(async () => {
    const mine = ++generation.current;
    setState((s) => ({ ...s, loading: true }));
    try {
      const data = await latest.current();
      if (mine === generation.current) setState({ data, loading: false });
    } catch (error) {
      if (mine === generation.current) setState((s) => ({ data: s.data, error: error as Error, loading: false }));
    }
  }, []);
  useEffect(() => {
    void reload();
  }, deps); // eslint-disable-line react-hooks/exhaustive-deps
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

export function ErrorNote({ error, onRetry }: { error: Error | undefined | null; onRetry?: () => void }) {
  const words = useWords();
  if (!error) return null;
  return (
    <div className="error-note" role="alert">
      <strong>{words.failed}</strong> {error instanceof ApiError && error.status === 0 ? words.network : error.message}
      {onRetry && (
        <button type="button" className="link" onClick={onRetry}>
          {words.retry}
        </button>
      )}
    </div>
  );
}

export function Loading({ what }: { what?: string }) {
  const words = useWords();
  return (
    <div className="loading" role="status" aria-live="polite">
      {what ?? words.loading}
    </div>
  );
}

/**
 * A button for an action that talks to the server: disabled and saying so while it runs, and showing
 * what went wrong next to itself when it fails.
 */
export function ActionButton({
  action,
  children,
  busy,
  onDone,
  ...props
}: Omit<ButtonHTMLAttributes<HTMLButtonElement>, 'onClick'> & { action: () => Promise<unknown>; busy?: string; onDone?: (result: unknown) => void }) {
  const words = useWords();
  const [running, setRunning] = useState(false);
  const [error, setError] = useState<Error | null>(null);
  const run = async () => {
    setRunning(true);
    setError(null);
    try {
      const result = await action();
      onDone?.(result);
    } catch (failure) {
      setError(failure as Error);
    } finally {
      setRunning(false);
    }
  };
  return (
    <span className="action">
      <button type="button" {...props} disabled={props.disabled || running} aria-busy={running} onClick={run}>
        {running ? (busy ?? words.working) : children}
      </button>
      {error && <ErrorNote error={error} />}
    </span>
  );
}

/**
 * A form's last row: Save (showing its progress and its failure in words), the button that closes the
 * form, and what was just done ("Saved.") beside them.
 */
export function FormButtons({
  words,
  save,
  onSaved,
  onCancel,
  disabled,
  flash,
}: {
  words: { save: string; saving: string; cancel: string };
  save: () => Promise<unknown>;
  onSaved?: (result: unknown) => void;
  onCancel: () => void;
  disabled?: boolean;
  flash?: string | null;
}) {
  return (
    <div className="row">
      <ActionButton className="primary" busy={words.saving} disabled={disabled} action={save} onDone={onSaved}>
        {words.save}
      </ActionButton>
      <button type="button" onClick={onCancel}>
        {words.cancel}
      </button>
      <Flash text={flash} />
    </div>
  );
}

export function Field({ label, children, hint }: { label: string; children: ReactNode; hint?: string }) {
  return (
    <label className="field">
      <span className="field-label">{label}</span>
      {children}
      {hint && <span className="field-hint">{hint}</span>}
    </label>
  );
}

/** Shows "Saved" for a moment after a successful save. */
export function useFlash(): [string | null, (text: string) => void] {
  const [text, setText] = useState<string | null>(null);
  const timer = useRef<ReturnType<typeof setTimeout>>(undefined);
  const flash = useCallback((value: string) => {
    setText(value);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setText(null), 2500);
  }, []);
  return [text, flash];
}

/** What was just done ("Saved."), announced to screen readers; nothing when there is none. */
export function Flash({ text }: { text: string | null | undefined }) {
  if (!text) return null;
  return (
    <span className="flash" role="status">
      {text}
    </span>
  );
}

/** Reads a chosen file as base64, as the API takes attachments. */
export function fileToBase64(file: File): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error ?? new Error(`Cannot read ${file.name}`));
    reader.readAsDataURL(file);
  });
}
