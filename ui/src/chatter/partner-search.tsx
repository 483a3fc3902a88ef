// Choosing a partner by typing part of their name or address: used for recipients, followers and
// @mentions. A listbox the keyboard drives (arrows, Enter, Escape), as WAI-ARIA's combobox pattern.
import { useEffect, useId, useState, type KeyboardEvent } from 'react';
import { get, query } from '../api.ts';
import type { Partner } from './types.ts';
import { useChatterWords } from './words.ts';

/** Partners matching `text` (debounced); empty while `text` is empty. */
export function usePartnerMatches(text: string | null): Partner[] {
  const [matches, setMatches] = useState<Partner[]>([]);
  useEffect(() => {
    if (text === null) {
      setMatches([]);
      return;
    }
    let current = true;
    const timer = setTimeout(() => {
      get<Partner[]>(`/api/partners${query({ q: text, limit: 8 })}`)
        .then((found) => current && setMatches(found))
        .catch(() => current && setMatches([]));
    }, 120);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [text]);
  return matches;
}

export function PartnerOptions({ id, matches, active, onPick }: { id: string; matches: Partner[]; active: number; onPick: (partner: Partner) => void }) {
  if (matches.length === 0) return null;
  return (
    <ul className="options" role="listbox" id={id}>
      {matches.map((partner, index) => (
        <li
          key={partner.id}
          id={`${id}-${partner.id}`}
          role="option"
          aria-selected={index === active}
          className={index === active ? 'active' : undefined}
          onMouseDown={(event) => {
            event.preventDefault();
            onPick(partner);
          }}
        >
          <span>{partner.name}</span>
          {partner.email && <small>{partner.email}</small>}
        </li>
      ))}
    </ul>
  );
}

/** Arrow keys move, Enter picks, Escape closes; returns true when it handled the key. */
export function listKeys(event: KeyboardEvent, count: number, active: number, setActive: (index: number) => void, pick: () => void, close: () => void): boolean {
  if (count === 0) return false;
  if (event.key === 'ArrowDown') setActive((active + 1) % count);
  else if (event.key === 'ArrowUp') setActive((active - 1 + count) % count);
  else if (event.key === 'Enter' || event.key === 'Tab') pick();
  else if (event.key === 'Escape') close();
  else return false;
  event.preventDefault();
  return true;
}

export function PartnerPicker({ label, onPick, exclude = [] }: { label: string; onPick: (partner: Partner) => void; exclude?: number[] }) {
  const words = useChatterWords();
  const listId = useId();
  const [text, setText] = useState('');
  const [active, setActive] = useState(0);
  const matches = usePartnerMatches(text.trim() ? text.trim() : null).filter((p) => !exclude.includes(p.id));
  const pick = (partner: Partner | undefined) => {
    if (!partner) return;
    onPick(partner);
    setText('');
    setActive(0);
  };
  return (
    <div className="picker">
      <input
        role="combobox"
        aria-label={label}
        aria-expanded={matches.length > 0}
        aria-controls={listId}
        aria-activedescendant={matches[active] ? `${listId}-${matches[active]!.id}` : undefined}
        placeholder={label}
        value={text}
        onChange={(e) => {
          setText(e.target.value);
          setActive(0);
        }}
        onKeyDown={(e) => listKeys(e, matches.length, active, setActive, () => pick(matches[active]), () => setText(''))}
      />
      <PartnerOptions id={listId} matches={matches} active={active} onPick={pick} />
      {text.trim() && matches.length === 0 && <span className="field-hint">{words.noMatch}</span>}
    </div>
  );
}
