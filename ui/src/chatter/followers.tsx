// Who follows the record, and the bell (seed 000 §6): each follower's subtypes — what they are
// notified of — can be changed; followers can be added and removed; one can follow oneself.
import { useState } from 'react';
import { del, post, put, recordPath } from '../api.ts';
import { ActionButton, ErrorNote, useMe } from '../components.tsx';
import { fill } from '../i18n.tsx';
import { BellIcon } from '../icons.tsx';
import { PartnerPicker } from './partner-search.tsx';
import type { Follower, Subtype } from './types.ts';
import { useChatterWords } from './words.ts';

function Bell({ follower, subtypes, base, onSaved }: { follower: Follower; subtypes: Subtype[]; base: string; onSaved: () => void }) {
  const words = useChatterWords();
  const [open, setOpen] = useState(false);
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [error, setError] = useState<Error | null>(null);
  const [busy, setBusy] = useState(false);
  const me = useMe();
  // Portal users never see internal subtypes (seed 000 §10).
  const offered = subtypes.filter((s) => !s.hidden && (me.role === 'internal' || !s.internal));
  const toggle = () => {
    setChosen(new Set(follower.subtypes.map((s) => s.code)));
    setError(null);
    setOpen(!open);
  };
  const save = async () => {
    setBusy(true);
    setError(null);
    try {
      await put(`${base}/followers/${follower.partnerId}`, { subtypes: [...chosen] });
      setOpen(false);
      onSaved();
    } catch (failure) {
      setError(failure as Error);
    } finally {
      setBusy(false);
    }
  };
  const label = fill(words.bell, { name: follower.name });
  return (
    <span className="bell">
      <button type="button" className="icon" aria-label={label} title={label} aria-expanded={open} onClick={toggle}>
        <BellIcon />
      </button>
      {open && (
        <div className="popover" role="dialog" aria-label={label} onKeyDown={(e) => e.key === 'Escape' && setOpen(false)}>
          <fieldset>
            <legend>{words.subscribedTo}</legend>
            {offered.map((s) => (
              <label key={s.code} className="check">
                <input
                  type="checkbox"
                  name={s.code}
                  checked={chosen.has(s.code)}
                  onChange={(e) => {
                    const next = new Set(chosen);
                    if (e.target.checked) next.add(s.code);
                    else next.delete(s.code);
                    setChosen(next);
                  }}
                />
                {s.name}
                {s.internal && <small> ({words.internal})</small>}
              </label>
            ))}
          </fieldset>
          <div className="row">
            <button type="button" className="primary" disabled={busy} onClick={() => void save()}>
              {busy ? '…' : words.save}
            </button>
            <button type="button" onClick={() => setOpen(false)}>
              {words.cancel}
            </button>
          </div>
          <ErrorNote error={error} />
        </div>
      )}
    </span>
  );
}

export function Followers({ model, resId, followers, subtypes, onChanged }: { model: string; resId: string; followers: Follower[]; subtypes: Subtype[]; onChanged: () => void }) {
  const words = useChatterWords();
  const me = useMe();
  const base = recordPath(model, resId);
  const [error, setError] = useState<Error | null>(null);
  const following = followers.some((f) => f.partnerId === me.partnerId);
  const add = async (partnerId: number) => {
    setError(null);
    try {
      await post(`${base}/followers`, { partnerId });
      onChanged();
    } catch (failure) {
      setError(failure as Error);
    }
  };
  return (
    <section className="followers" aria-labelledby="followers-title">
      <h2 id="followers-title">
        {words.followers} <span className="count">{followers.length}</span>
      </h2>
      {followers.length === 0 && <p className="empty">{words.noFollowers}</p>}
      <ul>
        {followers.map((f) => (
          <li key={f.partnerId} data-partner={f.partnerId}>
            <span className="name" title={f.email ?? undefined}>
              {f.name}
            </span>
            <span className="subtypes">{f.subtypes.map((s) => s.name).join(', ')}</span>
            {(me.role === 'internal' || f.partnerId === me.partnerId) && <Bell follower={f} subtypes={subtypes} base={base} onSaved={onChanged} />}
            {(me.role === 'internal' || f.partnerId === me.partnerId) && (
              <ActionButton className="icon" aria-label={`${words.remove} ${f.name}`} title={words.remove} action={() => del(`${base}/followers/${f.partnerId}`)} onDone={onChanged}>
                ×
              </ActionButton>
            )}
          </li>
        ))}
      </ul>
      {following ? null : (
        <ActionButton action={() => post(`${base}/followers`, { partnerId: me.partnerId })} onDone={onChanged}>
          {words.follow}
        </ActionButton>
      )}
      {me.role === 'internal' && <PartnerPicker label={words.addFollower} exclude={followers.map((f) => f.partnerId)} onPick={(p) => void add(p.id)} />}
      <ErrorNote error={error} />
    </section>
  );
}
