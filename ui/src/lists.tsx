// The scaffolding of the screens and settings sections that list things: the list as it loads (its
// error, "Loading…", a sentence when there is nothing), the table with its header row, the "New …"
// bar with its flash message, and which row a form is open on. Each screen keeps its own words.
import { useCallback, useState, type ReactNode } from 'react';
import { ErrorNote, Flash, Loading, type Loaded } from './components.tsx';

/**
 * A loaded list: its error (with "Try again"), "Loading…" until the first answer, `empty` in a
 * paragraph when the answer is an empty list, else what `children` draws of the items.
 */
export function LoadedList<T>({ loaded, empty, children }: { loaded: Loaded<T[]>; empty: ReactNode; children: (items: T[]) => ReactNode }) {
  return (
    <>
      <ErrorNote error={loaded.error} onRetry={() => void loaded.reload()} />
      {loaded.loading && !loaded.data ? <Loading /> : loaded.data?.length === 0 ? <p className="empty">{empty}</p> : children(loaded.data ?? [])}
    </>
  );
}

/** A `table.list` with one header row; `headers` are the column titles (empty for a column of buttons). */
export function ListTable({ headers, className, label, children }: { headers: ReactNode[]; className?: string; label?: string; children: ReactNode }) {
  return (
    <table className={className ? `list ${className}` : 'list'} aria-label={label}>
      <thead>
        <tr>
          {headers.map((header, i) => (
            <th key={i}>{header}</th>
          ))}
        </tr>
      </thead>
      <tbody>{children}</tbody>
    </table>
  );
}

/** A header column title read by screen readers only (over a column of buttons). */
export function HiddenHeader({ children }: { children: string }) {
  return <span className="sr-only">{children}</span>;
}

/** The rows of an email's headers: the name as a row header, then the value. */
export function HeaderRows({ headers }: { headers: { name: string; value: string }[] }) {
  return (
    <>
      {headers.map((header, i) => (
        <tr key={i}>
          <th scope="row">{header.name}</th>
          <td>{header.value}</td>
        </tr>
      ))}
    </>
  );
}

/** The row above a list: the primary "New …" button, and what was just done ("Saved.") beside it. */
export function AddBar({ label, onAdd, disabled, flash }: { label: string; onAdd: () => void; disabled?: boolean; flash?: string | null }) {
  return (
    <div className="row">
      <button type="button" className="primary" onClick={onAdd} disabled={disabled}>
        {label}
      </button>
      <Flash text={flash} />
    </div>
  );
}

export interface Editing<T> {
  /** The item whose form is open, 'new' for a new one, null when none is. */
  editing: T | 'new' | null;
  setEditing: (what: T | 'new' | null) => void;
  /** Opens the form on `what`, as a fresh form even when one was open on it. */
  open: (what: T | 'new') => void;
  /** Changes each time `open` is called: the key of a fresh form. */
  opened: number;
  /** Whether the form is open on the item with this id (its row is shown selected). */
  isEditing: (id: number) => boolean;
}

/** Which item of a list has its form open. */
export function useEditing<T extends { id: number }>(): Editing<T> {
  const [editing, setEditing] = useState<T | 'new' | null>(null);
  const [opened, setOpened] = useState(0);
  const open = useCallback((what: T | 'new') => {
    setEditing(what);
    setOpened((n) => n + 1);
  }, []);
  const isEditing = (id: number) => editing !== null && editing !== 'new' && editing.id === id;
  return { editing, setEditing, open, opened, isEditing };
}
