// Tracking lines: the host application records that fields of a record changed ("Stage: New → Won"),
// as Odoo's tracked fields do. They are written as a short list in the message body, so that every
// reader (the chatter, an email, an inbox) shows them the same way.
import { escapeHtml } from './html.ts';

export interface TrackedChange {
  /** The field's label, as a person reads it: "Stage", "Salesperson". */
  field: string;
  from: string | null;
  to: string | null;
}


/** `<ul><li><span class="tracking-field">Stage</span>: New → Won</li>…</ul>`; an empty value shows as "—". */
export function trackingHtml(changes: TrackedChange[]): string {
  const value = (text: string | null) => (text === null || text === '' ? '—' : escapeHtml(text));
  const lines = changes.map((c) => `<li><span class="tracking-field">${escapeHtml(c.field)}</span>: ${value(c.from)} → ${value(c.to)}</li>`);
  return `<ul>${lines.join('')}</ul>`;
}
