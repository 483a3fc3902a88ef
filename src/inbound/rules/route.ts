// Where an inbound message goes (DESIGN "Inbound"; issue 4 §3), decided from its headers alone.
// The order is the contract: loop headers, bounce, reply token, In-Reply-To/References, alias,
// then unrouted. Steps that need the database (does the record exist? did we send that Message-ID?)
// are returned as candidates, tried in order by the caller: the first that resolves wins.
import { readReplyTokenWithAny } from '../../mail/rules/reply-token.ts';

export interface RoutingFacts {
  from: string | null;
  /** To, Cc and Delivered-To addresses, lowercased. */
  recipients: string[];
  /** Lowercased header name → first value. */
  headers: Map<string, string>;
  contentType: string;
  /** In-Reply-To first, then References from the most recent. */
  threadMessageIds: string[];
}

export interface AliasDomainFacts {
  domain: string;
  bounce: string;
}

export interface AliasFacts {
  id: number;
  /** `name@domain`, lowercased. */
  address: string;
}

export type RouteCandidate =
  | { kind: 'reply-token'; model: string; resId: string; address: string }
  | { kind: 'thread'; messageIds: string[] }
  | { kind: 'alias'; aliasId: number; address: string };

export type RoutePlan =
  | { kind: 'drop'; reason: string }
  | { kind: 'bounce'; reason: string }
  | { kind: 'route'; candidates: RouteCandidate[]; invalidTokens: string[] };

/** The records that the valid reply tokens among these addresses name (looked up before planRoute runs). */
/** The secrets a reply token may be signed with: the installation's first, then Sweego servers' (seed 001 §7.1). */
export type ReplySecrets = string | readonly string[];

const secretsOf = (secrets: ReplySecrets): readonly string[] => (typeof secrets === 'string' ? [secrets] : secrets);

export function replyTokenRefs(recipients: string[], replySecrets: ReplySecrets): { model: string; resId: string }[] {
  return recipients.flatMap((address) => {
    const token = readReplyTokenWithAny(address, secretsOf(replySecrets));
    return token.kind === 'valid' ? [{ model: token.model, resId: token.resId }] : [];
  });
}

export function planRoute(facts: RoutingFacts, aliasDomains: AliasDomainFacts[], aliases: AliasFacts[], replySecrets: ReplySecrets): RoutePlan {
  const loop = loopReason(facts.headers);
  if (loop) return { kind: 'drop', reason: loop };
  const bounce = bounceReason(facts, aliasDomains);
  if (bounce) return { kind: 'bounce', reason: bounce };

  const candidates: RouteCandidate[] = [];
  const invalidTokens: string[] = [];
  for (const address of facts.recipients) {
    const token = readReplyTokenWithAny(address, secretsOf(replySecrets));
    if (token.kind === 'valid') candidates.push({ kind: 'reply-token', model: token.model, resId: token.resId, address });
    else if (token.kind === 'invalid-signature' || token.kind === 'malformed') invalidTokens.push(address);
  }
  if (facts.threadMessageIds.length > 0) candidates.push({ kind: 'thread', messageIds: facts.threadMessageIds });
  const aliasByAddress = new Map(aliases.map((a) => [a.address, a]));
  for (const address of facts.recipients) {
    const alias = aliasByAddress.get(address);
    if (alias) candidates.push({ kind: 'alias', aliasId: alias.id, address });
  }
  return { kind: 'route', candidates, invalidTokens };
}

/**
 * Seed 001 §5.7: `X-Zone-Loop` or `X-Mailer: Sweego` mean the message went round in circles.
 * `X-Facteur-Loop` marks the notices Facteur itself sends: one coming back (or its bounce) is dropped.
 */
export function loopReason(headers: Map<string, string>): string | null {
  if (headers.has('x-zone-loop')) return 'loop: X-Zone-Loop header (seed 001 §5.7)';
  if (/^sweego\b/i.test(headers.get('x-mailer') ?? '')) return 'loop: X-Mailer: Sweego (seed 001 §5.7)';
  if (headers.has('x-facteur-loop')) return 'loop: a notice Facteur sent came back (X-Facteur-Loop)';
  return null;
}

/** RFC 3464 delivery reports, mail from the MAILER-DAEMON, or mail to our bounce address. */
export function bounceReason(facts: Pick<RoutingFacts, 'contentType' | 'from' | 'recipients'>, aliasDomains: AliasDomainFacts[]): string | null {
  if (/^multipart\/report\b/i.test(facts.contentType) && /report-type\s*=\s*"?delivery-status/i.test(facts.contentType)) {
    return 'delivery status report (RFC 3464)';
  }
  if (facts.from && /^mailer-daemon@/i.test(facts.from)) return 'sent by MAILER-DAEMON';
  const bounceAddresses = new Set(aliasDomains.map((d) => `${d.bounce}@${d.domain}`.toLowerCase()));
  const toBounce = facts.recipients.find((r) => bounceAddresses.has(r) || isVerpOf(r, bounceAddresses));
  if (toBounce) return `sent to the bounce address ${toBounce}`;
  return null;
}

/** `bounce+anything@domain` (VERP-style) is the bounce address too. */
function isVerpOf(address: string, bounceAddresses: Set<string>): boolean {
  const match = /^([^+@]+)\+[^@]*@(.+)$/.exec(address);
  return match !== null && bounceAddresses.has(`${match[1]}@${match[2]}`);
}
