// Who an email is from, where replies and bounces go, and which server carries it
// (DESIGN "Sending"; seed 000 §8, §13.1; seed 003). Pure: the worker gathers the facts.
import { chooseServer, fromFilterMatches, notificationsFrom, type ServerCandidate } from './server-selection.ts';
import type { FailureType } from './smtp-outcome.ts';

export interface AliasDomain {
  domain: string;
  catchall: string;
  bounce: string;
  defaultFrom: string;
}

export interface AddressingInput {
  emailTo: string | null;
  blacklisted: boolean;
  author: { name: string | null; email: string | null };
  /** The record's company's alias domain, else the current (author's) company's, else none. */
  aliasDomain: AliasDomain | null;
  /**
   * The `reply+…` local part for this record as the chosen server signs it (null: no server, the
   * built-in catcher), or null when reply tokens are off or do not fit. A Sweego server signs with
   * its own secret (seed 001 §7.1); the others with the installation's.
   */
  replyTokenFor: (serverId: number | null) => string | null;
  /** Active servers; empty means "no server configured": the built-in catcher takes everything. */
  servers: ServerCandidate[];
}

export type Addressing =
  | { kind: 'do-not-send'; state: 'exception' | 'canceled'; failureType: FailureType; reason: string }
  | {
      kind: 'send';
      /** null: the built-in catcher (no server configured). */
      serverId: number | null;
      from: { name: string | null; address: string };
      replyTo: string | null;
      envelopeFrom: string;
    };

export function decideAddressing(input: AddressingInput): Addressing {
  if (!input.emailTo) {
    return { kind: 'do-not-send', state: 'exception', failureType: 'mail_email_missing', reason: 'The recipient has no email address.' };
  }
  if (input.blacklisted) {
    return { kind: 'do-not-send', state: 'canceled', failureType: 'mail_bl', reason: `${input.emailTo} is blacklisted.` };
  }
  const alias = input.aliasDomain;
  const notificationsAddress = alias ? `${alias.defaultFrom}@${alias.domain}` : null;
  const authorAddress = input.author.email;
  if (!authorAddress && !notificationsAddress) {
    return {
      kind: 'do-not-send',
      state: 'exception',
      failureType: 'mail_from_missing',
      reason: 'The author has no email address and no alias domain gives a notifications address.',
    };
  }
  // Seed 000 §8: replies come back through the catchall, or the record's reply token (seed 001 §5.2).
  const replyToVia = (serverId: number | null) => (alias ? `${input.replyTokenFor(serverId) ?? alias.catchall}@${alias.domain}` : null);
  const bounce = alias ? `${alias.bounce}@${alias.domain}` : null;

  if (input.servers.length === 0) {
    const from = authorAddress ? { name: input.author.name, address: authorAddress } : notificationsFrom(input.author.name, notificationsAddress!);
    return { kind: 'send', serverId: null, from, replyTo: replyToVia(null), envelopeFrom: bounce ?? from.address };
  }
  const choice = chooseServer(input.servers, authorAddress, notificationsAddress);
  if (choice.kind === 'none') {
    return {
      kind: 'do-not-send',
      state: 'exception',
      failureType: 'mail_from_invalid',
      reason: `No outgoing server may send as ${authorAddress ?? notificationsAddress}: check the servers' From filters.`,
    };
  }
  const from =
    choice.sendAs === 'author' && authorAddress
      ? { name: input.author.name, address: authorAddress }
      : notificationsFrom(input.author.name, notificationsAddress!);
  const server = input.servers.find((s) => s.id === choice.serverId)!;
  // The bounce address becomes the envelope sender only where the server may use it.
  const serverMayUseBounce = bounce !== null && (server.fromFilter === null || fromFilterMatches(server.fromFilter, bounce));
  return { kind: 'send', serverId: server.id, from, replyTo: replyToVia(server.id), envelopeFrom: serverMayUseBounce ? bounce : from.address };
}
