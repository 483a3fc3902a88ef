// X-Message-Id names the outbox entry an email came from. Providers echo it in their webhooks and
// logs (seed 001 §5.1), and bounces carry it back in the returned headers: either way we find the entry.
const PATTERN = /<?facteur-outbox-(\d{1,15})@[^>\s]+>?/i;

export function outboxMessageIdHeader(outboxId: number, domain: string): string {
  return `<facteur-outbox-${outboxId}@${domain}>`;
}

/** The outbox entry id named by an X-Message-Id value (already RFC 2047-decoded), if it is ours. */
export function outboxIdFromHeader(value: string): number | null {
  const match = PATTERN.exec(value);
  return match ? Number(match[1]) : null;
}
