// Who is notified of a post, and how. DESIGN "Posting"; seed 000 §1.5, §5, §7.2–7.3, §9, §10, §11.
import type { NotificationChannel, NotificationPreference } from '../../db/schema.ts';

export interface Addressee {
  partnerId: number;
  /** Set when the partner is an internal user; external partners (portal users included) have none. */
  internalNotification: NotificationPreference | null;
}

export interface RecipientInput {
  /** Followers of the record subscribed to the post's subtype. */
  subscribedFollowers: Addressee[];
  /** Partners the author added to the composer (seed 000 §7.2). */
  explicitRecipients: Addressee[];
  /** Partners @mentioned in the body (seed 000 §11). */
  mentioned: Addressee[];
  /** Partners already following the record, whatever their subtypes. */
  followerPartnerIds: ReadonlySet<number>;
  authorPartnerId: number | null;
}

export interface Recipient {
  partnerId: number;
  channel: Extract<NotificationChannel, 'inbox' | 'email'>;
}

export interface RecipientDecision {
  recipients: Recipient[];
  /** Explicit recipients and mentioned partners who do not follow yet: they become followers. */
  newFollowerPartnerIds: number[];
}

/** Seed 000 §1.5: inbox or email, never both; external partners always by email. */
export function channelFor(addressee: Addressee): Recipient['channel'] {
  return addressee.internalNotification === 'inbox' ? 'inbox' : 'email';
}

export function decideRecipients(input: RecipientInput): RecipientDecision {
  const recipients = new Map<number, Recipient>();
  const newFollowers = new Set<number>();
  const add = (addressee: Addressee) => {
    if (addressee.partnerId === input.authorPartnerId) return; // nobody is notified of their own post
    if (!recipients.has(addressee.partnerId)) {
      recipients.set(addressee.partnerId, { partnerId: addressee.partnerId, channel: channelFor(addressee) });
    }
  };
  input.subscribedFollowers.forEach(add);
  for (const addressee of [...input.explicitRecipients, ...input.mentioned]) {
    add(addressee);
    if (!input.followerPartnerIds.has(addressee.partnerId)) newFollowers.add(addressee.partnerId);
  }
  return { recipients: [...recipients.values()], newFollowerPartnerIds: [...newFollowers] };
}
