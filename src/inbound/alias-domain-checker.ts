// Whether a recipient's domain is one of the alias domains, answered from memory most of the time:
// the list is read again when it is 10 s old, and a domain it lacks makes it read again when it is
// over 1 s old — so a domain added through the API is accepted within a second, a removed one is
// refused within ten, and a stream of mail for strangers costs at most one query a second.
import { domainToASCII } from 'node:url';
import type { Db } from '../db/database.ts';
import { listAliasDomainNames } from './alias-domains.store.ts';

export interface AliasDomainChecker {
  accepts(domain: string): Promise<boolean>;
}

export function aliasDomainChecker(db: Db, maxAgeMs = 10_000, recheckMissAfterMs = 1_000): AliasDomainChecker {
  let known = new Set<string>();
  let loadedAt = Number.NEGATIVE_INFINITY;
  let loading: Promise<void> | null = null;

  // Concurrent RCPTs share one query; a failed query leaves the list stale, and the next RCPT retries.
  function reload(): Promise<void> {
    loading ??= listAliasDomainNames(db)
      .then((names) => {
        known = new Set(names.map(comparableDomain));
        loadedAt = Date.now();
      })
      .finally(() => {
        loading = null;
      });
    return loading;
  }

  return {
    async accepts(domain) {
      const wanted = comparableDomain(domain);
      if (Date.now() - loadedAt >= maxAgeMs) await reload();
      if (!known.has(wanted) && Date.now() - loadedAt >= recheckMissAfterMs) await reload();
      return known.has(wanted);
    },
  };
}

/** Lowercased, without a final dot, an internationalised domain in its ASCII form: both spellings match. */
export function comparableDomain(domain: string): string {
  const lower = domain.trim().toLowerCase().replace(/\.$/, '');
  return domainToASCII(lower) || lower;
}
