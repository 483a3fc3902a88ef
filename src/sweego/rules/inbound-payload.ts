// Sweego's inbound webhook payload (`email_inbound`, providers/sweego.md), read tolerantly, and what
// the rebuilt message is made of (seed 001 §5.5): reply-token addresses leave To (they are never
// recipients; they travel as Delivered-To, where routing reads them), and the sender stands in when
// no To is left.
import { z } from 'zod';

const address = z.object({ email: z.string(), name: z.string().nullish() }).passthrough();

const payloadSchema = z
  .object({
    event_type: z.string().optional(),
    timestamp: z.string().nullish(),
    swg_uid: z.string().nullish(),
    event_id: z.string().nullish(),
    from_: address.nullish(),
    from: address.nullish(),
    to: z.array(address).nullish(),
    cc: z.array(address).nullish(),
    subject: z.string().nullish(),
    text: z.string().nullish(),
    html: z.string().nullish(),
    headers: z.record(z.string(), z.unknown()).nullish(),
    attachments: z.array(z.object({ uuid: z.string(), name: z.string().nullish(), content_type: z.string().nullish(), size: z.number().nullish() }).passthrough()).nullish(),
  })
  .passthrough();

export type InboundPayload = z.infer<typeof payloadSchema>;

export function readInboundPayload(body: unknown): InboundPayload | null {
  const parsed = payloadSchema.safeParse(Array.isArray(body) ? body[0] : body);
  return parsed.success ? parsed.data : null;
}

/** Seed 001 §5.7: `x-zone-loop`, or `x-mailer: Sweego`, among the payload's headers. */
export function inboundLoop(payload: InboundPayload): string | null {
  const headers = Object.fromEntries(Object.entries(payload.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]));
  if ('x-zone-loop' in headers) return 'x-zone-loop header';
  if (/^sweego\b/i.test(headers['x-mailer'] ?? '')) return 'x-mailer: Sweego';
  return null;
}

export interface Addressing {
  from: { address: string; name: string } | null;
  to: { address: string; name: string }[];
  cc: { address: string; name: string }[];
  /** The reply-token addresses, moved out of To and Cc. */
  deliveredTo: string[];
}

export function addressingOf(payload: InboundPayload): Addressing {
  const sender = payload.from_ ?? payload.from ?? null;
  const from = sender ? { address: sender.email, name: sender.name ?? '' } : null;
  const isToken = (a: { email: string }) => /^reply\+/i.test(a.email);
  const listed = (list: z.infer<typeof address>[] | null | undefined) => (list ?? []).filter((a) => !isToken(a)).map((a) => ({ address: a.email, name: a.name ?? '' }));
  const deliveredTo = [...(payload.to ?? []), ...(payload.cc ?? [])].filter(isToken).map((a) => a.email);
  const to = listed(payload.to);
  return { from, to: to.length > 0 ? to : from ? [from] : [], cc: listed(payload.cc), deliveredTo };
}

/**
 * A Message-ID of its own for the rebuilt message, the same at every redelivery (Sweego retries an
 * inbound delivery every 5 minutes): the gateway then recognises a copy.
 */
export function rebuiltMessageId(payload: InboundPayload): string | null {
  const id = payload.swg_uid ?? payload.event_id;
  return id ? `<sweego-${id.replace(/[^A-Za-z0-9._-]/g, '')}@inbound.sweego.invalid>` : null;
}
