// Which outgoing server sends an email, and as whom (DESIGN "Sending"). Seed 000 §13.1: relays
// such as MailJet refuse senders whose domain they have not validated, so notifications are sent
// from a validated address; seed 003 "From filters": a server sends only for the addresses or
// domains of its From filter, and a shared server's filter is `{mail.default.from}@{mail.catchall.domain}`.
// The order is Odoo's `ir.mail_server._find_mail_server`, except its last resort (any server, even
// one filtered for another domain): Facteur refuses rather than send a From the relay will reject.

export interface ServerCandidate {
  id: number;
  fromFilter: string | null;
  sequence: number;
}

export type ServerChoice =
  | {
      kind: 'server';
      serverId: number;
      sendAs: 'author' | 'notifications';
      rule: 'exact-address' | 'domain' | 'notifications-address' | 'no-filter';
    }
  | { kind: 'none' };

type Entry = { kind: 'address' | 'domain'; value: string };

/**
 * Odoo's `_match_from_filter`: the filter is a comma-separated list of addresses (with '@') and
 * domains (without; a leading '@' is tolerated), compared case-insensitively; a domain matches the
 * part after '@' exactly, not its subdomains. A blank filter restricts nothing, as in Odoo.
 */
export function fromFilterMatches(filter: string, address: string): boolean {
  const entries = parseFilter(filter);
  const normalized = normalize(address);
  return entries.length === 0 || matches(entries, normalized, 'address') || matches(entries, normalized, 'domain');
}

/**
 * Exact author address, then author domain, then the notifications address (exact, then domain),
 * then a server without filter; ties go to the lowest sequence, then the lowest id. `none` when no
 * server may send: the caller fails the entry with `mail_from_invalid` (and, when it has neither an
 * author nor a notifications address, should report `mail_from_missing` before asking).
 */
export function chooseServer(servers: ServerCandidate[], authorAddress: string | null, notificationsAddress: string | null): ServerChoice {
  const candidates = [...servers]
    .sort((a, b) => a.sequence - b.sequence || a.id - b.id)
    .map((server) => ({ id: server.id, entries: parseFilter(server.fromFilter ?? '') }));
  const first = (address: string, kind: Entry['kind']) =>
    candidates.find((c) => c.entries.length > 0 && matches(c.entries, address, kind))?.id;
  const server = (serverId: number, sendAs: 'author' | 'notifications', rule: Extract<ServerChoice, { kind: 'server' }>['rule']): ServerChoice =>
    ({ kind: 'server', serverId, sendAs, rule });

  const author = authorAddress === null ? '' : normalize(authorAddress);
  const notifications = notificationsAddress === null ? '' : normalize(notificationsAddress);
  if (author !== '') {
    const exact = first(author, 'address');
    if (exact !== undefined) return server(exact, 'author', 'exact-address');
    const domain = first(author, 'domain');
    if (domain !== undefined) return server(domain, 'author', 'domain');
  }
  if (notifications !== '') {
    const found = first(notifications, 'address') ?? first(notifications, 'domain');
    if (found !== undefined) return server(found, 'notifications', 'notifications-address');
  }
  // A server without filter may send as anyone (Odoo: `_match_from_filter` is true without filter).
  const open = candidates.find((c) => c.entries.length === 0)?.id;
  if (open !== undefined && author !== '') return server(open, 'author', 'no-filter');
  if (open !== undefined && notifications !== '') return server(open, 'notifications', 'no-filter');
  return { kind: 'none' };
}

/** Seed 003: "il nome del mittente apparirà ma l'indirizzo e-mail sarà diverso" — the author's name stays. */
export function notificationsFrom(authorName: string | null, notificationsAddress: string): { name: string | null; address: string } {
  const name = authorName?.trim() ?? '';
  return { name: name === '' ? null : name, address: notificationsAddress.trim() };
}

function normalize(address: string): string {
  return address.trim().toLowerCase();
}

function parseFilter(filter: string): Entry[] {
  return filter
    .split(',')
    .map((part) => normalize(part))
    .filter((part) => part !== '' && part !== '@')
    .map((part) =>
      part.startsWith('@') ? { kind: 'domain', value: part.slice(1) }
      : part.includes('@') ? { kind: 'address', value: part }
      : { kind: 'domain', value: part },
    );
}

function matches(entries: Entry[], address: string, kind: Entry['kind']): boolean {
  const at = address.lastIndexOf('@');
  if (at < 0) return false;
  const value = kind === 'address' ? address : address.slice(at + 1);
  return value !== '' && entries.some((entry) => entry.kind === kind && entry.value === value);
}
