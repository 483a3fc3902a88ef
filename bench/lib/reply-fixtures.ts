// Setup for the `gateway` benchmark; none of it is timed. A company with an alias domain, quotations
// followed by two internal users (notified by email) and a customer, one comment on each sent to them
// (through the built-in catcher), and the customer's answer to it: a Gmail-like reply of about 10 KB
// (multipart/alternative, text and HTML with the quoted history, the headers a receiving MTA and
// Gmail add), addressed to the reply-token address the customer's email carried.
import { sql } from 'kysely';
import MailComposer from 'nodemailer/lib/mail-composer';
import { SYSTEM } from '../../src/chatter/actor.ts';
import { createCompany } from '../../src/chatter/companies.ts';
import { followRecord } from '../../src/chatter/followers.ts';
import { createPartner } from '../../src/chatter/partners.ts';
import { postMessage } from '../../src/chatter/post.ts';
import { registerRecord } from '../../src/chatter/records.ts';
import { createUser } from '../../src/chatter/users.ts';
import type { MailDeps } from '../../src/mail/deps.ts';
import { replySecret } from '../../src/mail/reply-secret.ts';
import { replyTokenLocalPart } from '../../src/mail/rules/reply-token.ts';
import { drainQueue } from '../../src/outbox/worker.ts';

export const DOMAIN = 'gateway.bench.example.com';
export const CUSTOMER = { name: 'Monsieur Client', email: 'client@customer.example.net' };

export interface ReplyPeople {
  companyId: number;
  /** User 1 (the author of the comment) and User 2: internal users notified by email. */
  userPartnerIds: [number, number];
  customerId: number;
}

export interface ReplyWorld {
  recordId: number;
  /** The Reply-To of the customer's email: `reply+…@DOMAIN`. */
  replyTo: string;
  /** The Message-ID of the comment the customer answers. */
  commentRfcId: string;
  /** Followers notified by email of each reply (the two internal users; the customer is its author). */
  emailsPerReply: number;
}

/** The company with its alias domain, two internal users notified by email, and the customer. */
export async function createPeople(deps: MailDeps): Promise<ReplyPeople> {
  const company = await createCompany(deps, SYSTEM, { name: 'Bench Company', aliasDomain: { domain: DOMAIN } });
  const userPartnerIds: number[] = [];
  for (const n of [1, 2]) {
    const user = await createUser(deps, SYSTEM, {
      login: `user${n}`,
      role: 'internal',
      notification: 'email',
      partner: { name: `User ${n}`, email: `user${n}@${DOMAIN}`, companyId: company.id },
    });
    userPartnerIds.push(user.partnerId);
  }
  const customer = await createPartner(deps, SYSTEM, { name: CUSTOMER.name, email: CUSTOMER.email, companyId: null });
  return { companyId: company.id, userPartnerIds: [userPartnerIds[0]!, userPartnerIds[1]!], customerId: customer.id };
}

/**
 * Seed 000 §12: a quotation of the company followed by User 1, User 2 and the customer; User 1 writes
 * to the customer. With `send`, the emails are sent (no outgoing server: the built-in catcher takes
 * them) and the reply address is read from the customer's email, as the test helpers do; it is also
 * computed as the outbox computes it (replyTokenLocalPart with the installation's secret) and both must
 * agree. Without `send`, the computed address is used and the emails stay queued.
 */
export async function createThread(deps: MailDeps, people: ReplyPeople, resId: string, send: boolean): Promise<ReplyWorld> {
  const ref = { model: 'sale.order', resId };
  const { record } = await registerRecord(deps, SYSTEM, { ...ref, name: resId, companyId: people.companyId });
  for (const partnerId of [...people.userPartnerIds, people.customerId]) await followRecord(deps, SYSTEM, ref, { partnerId });
  const comment = await postMessage(deps, SYSTEM, ref, {
    kind: 'comment',
    authorPartnerId: people.userPartnerIds[0],
    subject: `Your quotation ${resId}`,
    body: '<p>Here is your quotation.</p>',
  });
  const localPart = replyTokenLocalPart(ref, await replySecret(deps.db));
  if (localPart === null) throw new Error(`No reply token can carry ${ref.model} ${ref.resId}.`);
  const computed = `${localPart}@${DOMAIN}`;
  if (send) {
    await drainQueue(deps);
    const { rows } = await sql<{ state: string; reply_to: string | null }>`
      SELECT state, reply_to FROM outbox WHERE message_id = ${comment.id} AND partner_id = ${people.customerId}`.execute(deps.db);
    const entry = rows[0];
    if (entry?.state !== 'sent' || entry.reply_to !== computed) {
      throw new Error(`The customer's email was not sent with the reply token ${computed}: ${JSON.stringify(entry)}.`);
    }
  }
  return { recordId: record.id, replyTo: computed, commentRfcId: comment.rfcMessageId, emailsPerReply: 2 };
}

/** Fixed width, so that every copy has the same size and the id is overwritten in place. */
const PLACEHOLDER_ID = '<CAGATEWAYBENCH-000000000000000000000000@mail.gmail.com>';

export interface ReplyTemplate {
  raw: Buffer;
  /** Where the Message-ID (with its brackets) sits in `raw`. */
  idOffset: number;
}

const paragraph = (n: number) =>
  [
    'Thank you for the quotation. We went through it with our purchasing team this morning and most of it works for us.',
    'Could you confirm the delivery date for the second batch? Our warehouse is closed during the first week of December.',
    'The discount on line 4 does not match what we agreed on the phone last Tuesday: it should be 12 %, not 10 %.',
    'If you can send an updated version before Friday, I will sign it and send the purchase order the same day.',
  ][n % 4]!;

/** The notification email Facteur sent, as Gmail quotes it: its layout, inline styles and all. */
function quotedNotification(): string {
  return `<div><table width="100%" cellpadding="0" cellspacing="0" style="background-color:#f4f4f4;padding:16px 0">
<tbody><tr><td align="center"><table width="600" cellpadding="0" cellspacing="0" style="background-color:#ffffff;border:1px solid #dddddd;border-radius:4px;font-family:Arial,Helvetica,sans-serif;font-size:14px;color:#333333">
<tbody><tr><td style="padding:16px 24px;border-bottom:1px solid #eeeeee"><span style="font-size:12px;color:#888888">Your quotation</span><br><span style="font-size:20px;font-weight:bold">S00023</span></td></tr>
<tr><td style="padding:24px"><p>Dear Monsieur Client,</p><p>Here is your quotation <b>S00023</b> amounting to <b>12,480.00 €</b> from Bench Company.</p>
<table width="100%" cellpadding="4" cellspacing="0" style="border-collapse:collapse;font-size:13px"><thead><tr style="background:#f0f0f0"><th align="left">Product</th><th align="right">Quantity</th><th align="right">Unit price</th><th align="right">Discount</th><th align="right">Amount</th></tr></thead><tbody>
${[1, 2, 3, 4, 5, 6, 7]
  .map(
    (i) =>
      `<tr><td style="border-bottom:1px solid #eeeeee">[FURN_${8800 + i}] Office chair, model ${i}, black fabric</td><td align="right" style="border-bottom:1px solid #eeeeee">${i * 4}.00</td><td align="right" style="border-bottom:1px solid #eeeeee">${(120 + i * 10).toFixed(2)} €</td><td align="right" style="border-bottom:1px solid #eeeeee">${i === 4 ? '10.00' : '0.00'} %</td><td align="right" style="border-bottom:1px solid #eeeeee">${(i * 4 * (120 + i * 10)).toFixed(2)} €</td></tr>`,
  )
  .join('\n')}
</tbody></table>
<p>Do not hesitate to contact us if you have any questions.</p><p>Best regards,<br>User 1<br>Bench Company</p></td></tr>
<tr><td style="padding:12px 24px;border-top:1px solid #eeeeee;font-size:12px;color:#888888">Sent by <a href="https://bench.example.com" style="color:#875a7b">Bench Company</a> using Facteur. Reply to this email to answer on the quotation.</td></tr>
</tbody></table></td></tr></tbody></table></div>`;
}

function replyHtml(): string {
  const fresh = [0, 1, 2, 3].map((n) => `<div>${paragraph(n)}</div><div><br></div>`).join('');
  return (
    `<div dir="ltr">${fresh}<div>Best regards,</div><div>Jean Client</div><div>Purchasing, Client &amp; Fils</div></div><br>` +
    `<div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Mon, 23 Nov 2026 at 10:12, User 1 &lt;notifications@${DOMAIN}&gt; wrote:<br></div>` +
    `<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex">${quotedNotification()}</blockquote></div>`
  );
}

function replyText(): string {
  const quoted = [
    'Your quotation',
    'S00023',
    '',
    'Dear Monsieur Client,',
    '',
    'Here is your quotation *S00023* amounting to *12,480.00 €* from Bench Company.',
    '',
    ...[1, 2, 3, 4, 5, 6, 7].map((i) => `[FURN_${8800 + i}] Office chair, model ${i}, black fabric   ${i * 4}.00   ${(120 + i * 10).toFixed(2)} €   ${i === 4 ? '10.00' : '0.00'} %   ${(i * 4 * (120 + i * 10)).toFixed(2)} €`),
    '',
    'Do not hesitate to contact us if you have any questions.',
    '',
    'Best regards,',
    'User 1',
    'Bench Company',
    '',
    'Sent by Bench Company [https://bench.example.com] using Facteur. Reply to this email to answer on the quotation.',
  ];
  return (
    [0, 1, 2, 3].map(paragraph).join('\n\n') +
    '\n\nBest regards,\nJean Client\nPurchasing, Client & Fils\n\n' +
    `On Mon, 23 Nov 2026 at 10:12, User 1 <notifications@${DOMAIN}> wrote:\n\n` +
    quoted.map((l) => (l ? `> ${l}` : '>')).join('\n') +
    '\n'
  );
}

/** What a receiving MTA and Gmail put in front of a message (values of realistic length). */
function transportHeaders(): { key: string; value: string }[] {
  const b64 = (n: number, seed: string) => Buffer.from(seed.repeat(Math.ceil((n * 3) / 4 / seed.length))).toString('base64').slice(0, n);
  const headers: Record<string, string> = {
    'DKIM-Signature': `v=1; a=rsa-sha256; c=relaxed/relaxed; d=customer.example.net; s=20230601; t=1795426267; x=1796031067; darn=${DOMAIN}; h=to:subject:message-id:date:from:in-reply-to:references:mime-version:from:to:cc:subject:date:message-id:reply-to; bh=${b64(44, 'body-hash')}; b=${b64(344, 'signature-of-the-customer')}`,
    'X-Google-DKIM-Signature': `v=1; a=rsa-sha256; c=relaxed/relaxed; d=1e100.net; s=20230601; t=1795426267; x=1796031067; h=to:subject:message-id:date:from:in-reply-to:references:mime-version:x-gm-message-state:from:to:cc:subject:date:message-id:reply-to; bh=${b64(44, 'body-hash')}; b=${b64(344, 'google-signature')}`,
    'X-Gm-Message-State': b64(120, 'message-state'),
    'X-Google-Smtp-Source': b64(100, 'smtp-source'),
    'X-Received': `by 2002:a05:6000:1a8c:b0:33b:1234:5678 with SMTP id f12csp123456wrb.42.1795426266912; Mon, 23 Nov 2026 01:31:06 -0800 (PST)`,
  };
  return [
    { key: 'Return-Path', value: `<${CUSTOMER.email}>` },
    {
      key: 'Received',
      value: `from mail-wr1-f41.google.com (mail-wr1-f41.google.com [209.85.221.41]) by mx.${DOMAIN} (Postfix) with ESMTPS id 4Hc1Zk2Xyz for <reply@${DOMAIN}>; Mon, 23 Nov 2026 10:31:07 +0100 (CET)`,
    },
    { key: 'Received', value: `by mail-wr1-f41.google.com with SMTP id ffacd0b85a97d-33b2e8a1c4fso1234567f8f.1; Mon, 23 Nov 2026 01:31:07 -0800 (PST)` },
    ...Object.entries(headers).map(([key, value]) => ({ key, value })),
  ];
}

/** The customer's reply, composed once; copies differ only in their Message-ID. */
export async function replyTemplate(world: ReplyWorld): Promise<ReplyTemplate> {
  const raw = await new MailComposer({
    from: `${CUSTOMER.name} <${CUSTOMER.email}>`,
    to: world.replyTo,
    subject: 'Re: Your quotation S00023',
    messageId: PLACEHOLDER_ID,
    inReplyTo: world.commentRfcId,
    references: [world.commentRfcId],
    date: new Date('2026-11-23T09:31:05Z'),
    headers: transportHeaders(),
    text: replyText(),
    html: replyHtml(),
  })
    .compile()
    .build();
  const idOffset = raw.indexOf(PLACEHOLDER_ID);
  if (idOffset < 0 || raw.indexOf(PLACEHOLDER_ID, idOffset + 1) >= 0) throw new Error('The reply does not carry its Message-ID exactly once.');
  return { raw, idOffset };
}

/** `count` copies of the reply whose Message-IDs are `key`-`index`: unique as long as `key` is. */
export function replyCopies(template: ReplyTemplate, key: string, count: number): { raws: Buffer[]; ids: string[] } {
  const raws: Buffer[] = [];
  const ids: string[] = [];
  const width = PLACEHOLDER_ID.length - '<CA@mail.gmail.com>'.length;
  for (let i = 0; i < count; i++) {
    const body = `${key}-${i}`;
    if (body.length > width) throw new Error(`Key ${key} is too long for a Message-ID of fixed width.`);
    const id = `<CA${body.padStart(width, '0')}@mail.gmail.com>`;
    const raw = Buffer.from(template.raw);
    raw.write(id, template.idOffset, 'ascii');
    raws.push(raw);
    ids.push(id);
  }
  return { raws, ids };
}
