// Issue 4, robustness: 1,000 random mutations of the inbound fixtures (truncations, broken boundaries,
// bad encodings, huge headers, deep nesting…) go through the real gateway. The process never crashes
// or hangs, every message is stored once per Message-ID, and every one ends in a state with a reason.
//
// Deterministic: the mutations come from a seeded PRNG. FUZZ_SEED=<n> replays a run (the seed is
// printed), FUZZ_CASE=<i>[,<j>…] replays only those cases of it. A failing case is written to the
// temporary directory so that it can be read and fed again.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import MailComposer from 'nodemailer/lib/mail-composer';
import type Mail from 'nodemailer/lib/mailer';
import { SYSTEM } from '../../src/chatter/actor.ts';
import { createAlias } from '../../src/inbound/aliases.ts';
import type { ReceiveResult } from '../../src/inbound/gateway.ts';
import { parseInbound } from '../../src/inbound/parse.ts';
import { FIXTURES, fixtureBytes, receive, sentThread, type SentThread } from '../helpers/inbound.ts';
import { startOutboundApp, type OutboundApp } from '../helpers/smtp-app.ts';

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) >>> 0 : 20261122;
const ONLY = process.env.FUZZ_CASE ? new Set(process.env.FUZZ_CASE.split(',').map(Number)) : null;
/** Long enough for a 1 MB message on a busy machine; a hang is what this catches. */
const CASE_TIMEOUT_MS = 30_000;
const STATES = new Set(['received', 'routed', 'bounced', 'dropped', 'unrouted', 'failed']);

console.log(`robustness: FUZZ_SEED=${SEED}${ONLY ? ` FUZZ_CASE=${[...ONLY].join(',')}` : ''}`);

// ---------------------------------------------------------------------------------------------
// A small deterministic PRNG (mulberry32).

class Rng {
  #state: number;
  constructor(seed: number) {
    this.#state = seed >>> 0;
  }
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** 0 ≤ n < max */
  int(max: number): number {
    return Math.floor(this.next() * max);
  }
  between(min: number, max: number): number {
    return min + this.int(max - min + 1);
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j]!, items[i]!];
    }
    return items;
  }
}

// ---------------------------------------------------------------------------------------------
// Base messages: the corpus, with its placeholders filled in, and a few composed here so that the
// test never depends on the corpus being there.

interface Base {
  name: string;
  raw: Buffer;
}

function corpusBases(thread: SentThread): Base[] {
  if (!existsSync(FIXTURES)) return [];
  return readdirSync(FIXTURES)
    .filter((f) => f.endsWith('.eml'))
    .sort()
    .map((file) => {
      return { name: file, raw: fixtureBytes(thread, file) };
    });
}

/** Fixed boundaries and dates, so that the same seed gives the same bytes. */
async function compose(options: Mail.Options, n: number): Promise<Buffer> {
  const fixed = { baseBoundary: `fuzzbase${n}`, date: new Date('2026-11-22T10:00:00Z'), messageId: `<composed-${n}@mail.customer.test>` };
  return new MailComposer({ ...fixed, ...options } as Mail.Options).compile().build();
}

async function composedBases(thread: SentThread): Promise<Base[]> {
  const client = `Monsieur Client <${thread.client.email}>`;
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==', 'base64');
  const dsn = [
    `From: Mail Delivery System <MAILER-DAEMON@mx.customer.test>`,
    `To: bounce@${thread.domain}`,
    `Subject: Undelivered Mail Returned to Sender`,
    `Message-ID: <composed-dsn@mx.customer.test>`,
    `MIME-Version: 1.0`,
    `Content-Type: multipart/report; report-type=delivery-status; boundary="dsn-boundary"`,
    ``,
    `--dsn-boundary`,
    `Content-Type: text/plain; charset=utf-8`,
    ``,
    `Your message could not be delivered to ${thread.client.email}.`,
    `--dsn-boundary`,
    `Content-Type: message/delivery-status`,
    ``,
    `Reporting-MTA: dns; mx.customer.test`,
    ``,
    `Final-Recipient: rfc822; ${thread.client.email}`,
    `Action: failed`,
    `Status: 5.1.1`,
    `Diagnostic-Code: smtp; 550 5.1.1 User unknown`,
    `--dsn-boundary`,
    `Content-Type: text/rfc822-headers`,
    ``,
    `Message-ID: ${thread.comment.rfcMessageId}`,
    `X-Message-Id: ${thread.xMessageId}`,
    `--dsn-boundary--`,
    ``,
  ].join('\r\n');
  return [
    {
      name: 'composed: plain-text reply',
      raw: await compose({ from: client, to: thread.replyTo, subject: 'Re: Your quotation', text: 'Fine for me.\n\nOn Monday, User 1 wrote:\n> Here is your quotation.\n', inReplyTo: thread.comment.rfcMessageId }, 1),
    },
    {
      name: 'composed: Gmail-like alternative reply',
      raw: await compose(
        {
          from: client,
          to: thread.replyTo,
          subject: 'Re: Your quotation S00023 – révisée',
          text: 'Merci, ça me va.\n\n> Here is your quotation.',
          html: '<div dir="ltr">Merci, ça me va.</div><div class="gmail_quote"><blockquote class="gmail_quote">Here is your quotation.</blockquote></div>',
          references: [thread.comment.rfcMessageId],
        },
        2,
      ),
    },
    {
      name: 'composed: related + mixed, inline image and PDF (base64)',
      raw: await compose(
        {
          from: client,
          to: thread.replyTo,
          cc: `sales@${thread.domain}`,
          subject: 'Signed quotation',
          html: '<p>Signed, see <img src="cid:sig1"></p>',
          attachments: [
            { filename: 'signature.png', content: png, cid: 'sig1' },
            { filename: 'quotation-signed.pdf', content: Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n'.repeat(40)), contentType: 'application/pdf' },
          ],
        },
        3,
      ),
    },
    { name: 'composed: delivery status report', raw: Buffer.from(dsn, 'latin1') },
    {
      name: 'composed: new inquiry to the alias',
      raw: await compose({ from: 'Prospect <prospect@elsewhere.test>', to: `sales@${thread.domain}`, subject: 'Quote for 40 chairs', text: 'Hello, could you send a quote?' }, 5),
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Mutations. They work on the bytes as latin1 text, so that every byte survives as it is.

interface Case {
  index: number;
  kind: Kind;
  base: string;
  detail: string;
  raw: Buffer;
}

type Mutate = (text: string, rng: Rng) => { text: string; detail: string } | { bytes: Buffer; detail: string };

const eolOf = (text: string) => (text.includes('\r\n') ? '\r\n' : '\n');

/** Index of the line that ends the header block (the first empty line), or -1. */
function headerEnd(lines: string[]): number {
  return lines.findIndex((l) => l === '' || l === '\r');
}

/** Removes a header (all its occurrences, folded lines included). */
function removeHeader(text: string, name: string): string {
  const lines = text.split('\n');
  const end = headerEnd(lines);
  const out: string[] = [];
  let skipping = false;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (end >= 0 && i >= end) {
      out.push(line);
      continue;
    }
    if (skipping && /^[ \t]/.test(line)) continue;
    skipping = line.toLowerCase().startsWith(`${name.toLowerCase()}:`);
    if (!skipping) out.push(line);
  }
  return out.join('\n');
}

/** Inserts header lines at a random place of the header block (after the first line). */
function insertHeaders(text: string, rng: Rng, headers: string[]): string {
  const eol = eolOf(text);
  const lines = text.split('\n');
  const end = headerEnd(lines);
  const at = end <= 1 ? Math.max(end, 0) : rng.between(1, end);
  lines.splice(at, 0, ...headers.map((h) => (eol === '\r\n' ? `${h}\r` : h)));
  return lines.join('\n');
}

/** Replaces the top-level header `name` (or adds it) with `value`. */
function setHeader(text: string, rng: Rng, name: string, value: string): string {
  return insertHeaders(removeHeader(text, name), rng, [`${name}: ${value}`]);
}

const INVALID_SEQUENCES = [[0x00], [0xff], [0xfe], [0xc3], [0x80], [0xed, 0xa0, 0x80], [0xc0, 0xaf], [0xf4, 0x90, 0x80, 0x80], [0x00, 0x00, 0x00]];

const mutations = {
  truncate: ((text, rng) => {
    const at = rng.int(text.length);
    return { text: text.slice(0, at), detail: `cut at byte ${at} of ${text.length}` };
  }) as Mutate,

  deleteLine: ((text, rng) => {
    const lines = text.split('\n');
    const at = rng.int(lines.length);
    const [removed] = lines.splice(at, 1);
    return { text: lines.join('\n'), detail: `line ${at} deleted: ${JSON.stringify(removed!.slice(0, 60))}` };
  }) as Mutate,

  duplicateLine: ((text, rng) => {
    const lines = text.split('\n');
    const from = rng.int(lines.length);
    const to = rng.next() < 0.5 ? from : rng.int(lines.length);
    lines.splice(to, 0, lines[from]!);
    return { text: lines.join('\n'), detail: `line ${from} copied to ${to}: ${JSON.stringify(lines[to]!.slice(0, 60))}` };
  }) as Mutate,

  swapLines: ((text, rng) => {
    const lines = text.split('\n');
    const a = rng.int(lines.length);
    const b = rng.int(lines.length);
    [lines[a], lines[b]] = [lines[b]!, lines[a]!];
    return { text: lines.join('\n'), detail: `lines ${a} and ${b} swapped` };
  }) as Mutate,

  brokenBoundary: ((text, rng) => {
    const boundaries = [...new Set([...text.matchAll(/boundary\s*=\s*"?([^";\r\n]+)"?/gi)].map((m) => m[1]!))];
    if (boundaries.length === 0) {
      return { text: setHeader(text, rng, 'Content-Type', 'multipart/mixed; boundary="never-appears"'), detail: 'single part declared multipart with a boundary that never appears' };
    }
    const boundary = rng.pick(boundaries);
    const delimiters = [...text.matchAll(new RegExp(`^--${boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(--)?\\r?$`, 'gm'))];
    const variant = rng.int(6);
    if (variant === 0 && delimiters.length > 0) {
      const m = rng.pick(delimiters);
      const at = m.index + 2 + rng.int(boundary.length);
      return { text: `${text.slice(0, at)}${String.fromCharCode(33 + rng.int(90))}${text.slice(at + 1)}`, detail: `one character of a delimiter of "${boundary}" changed` };
    }
    if (variant === 1) {
      return { text: text.replace(`--${boundary}--`, ''), detail: `closing delimiter of "${boundary}" removed` };
    }
    if (variant === 2) {
      return { text: text.replace(new RegExp(`boundary\\s*=\\s*"?${boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"?`, 'i'), 'boundary="declared-but-absent"'), detail: `declared boundary "${boundary}" replaced by one that never appears` };
    }
    if (variant === 3) {
      return { text: text.replace(new RegExp(`boundary\\s*=\\s*"?${boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"?`, 'i'), 'boundary=""'), detail: `boundary "${boundary}" declared empty` };
    }
    if (variant === 4 && delimiters.length > 0) {
      // A delimiter in the middle of a part's headers: the part ends before it began.
      const lines = text.split('\n');
      lines.splice(rng.int(lines.length), 0, `--${boundary}`);
      return { text: lines.join('\n'), detail: `a stray delimiter of "${boundary}" inserted` };
    }
    return { text: text.replaceAll(`--${boundary}`, `-${boundary}`), detail: `every delimiter of "${boundary}" lost a dash` };
  }) as Mutate,

  badBytes: ((text, rng) => {
    const bytes = Buffer.from(text, 'latin1');
    if (bytes.length === 0) return { bytes, detail: 'empty' };
    const lines = text.split('\n');
    const end = headerEnd(lines);
    const headerBytes = end < 0 ? bytes.length : Buffer.byteLength(lines.slice(0, end).join('\n'), 'latin1');
    const inHeaders = rng.next() < 0.5;
    const count = rng.between(1, 8);
    const written: string[] = [];
    let out = bytes;
    for (let i = 0; i < count; i++) {
      const sequence = rng.pick(INVALID_SEQUENCES);
      const at = inHeaders ? rng.int(Math.max(headerBytes, 1)) : rng.int(out.length);
      out = Buffer.concat([out.subarray(0, at), Buffer.from(sequence), out.subarray(Math.min(at + sequence.length, out.length))]);
      written.push(`${sequence.map((b) => b.toString(16).padStart(2, '0')).join('')}@${at}`);
    }
    return { bytes: out, detail: `invalid UTF-8 / NUL written ${inHeaders ? 'in the headers' : 'anywhere'}: ${written.join(' ')}` };
  }) as Mutate,

  badEncodedWord: ((text, rng) => {
    const words = ['=?utf-8?B?/w==?=', '=?utf-8?Q?=00=00?=', '=?utf-8?B?AA==?=', '=?x-unknown-charset?Q?caf=E9?=', '=?utf-8?B?####?=', '=?iso-2022-jp?B?GyRCJEgbKEI=?=', '=?utf-8?Q?=ED=A0=80?=', '=?utf-8?', `=?utf-8?B?${'QUFB'.repeat(5000)}?=`];
    const header = rng.pick(['Subject', 'From', 'To', 'Message-ID']);
    const word = rng.pick(words);
    const value = header === 'From' ? `${word} <client@customer.test>` : header === 'Message-ID' ? `<${word}@fuzz.test>` : word;
    return { text: setHeader(text, rng, header, value), detail: `${header}: ${value.slice(0, 60)}` };
  }) as Mutate,

  garbageBase64: ((text, rng) => {
    const garbage = () =>
      Array.from({ length: rng.between(1, 40) }, () =>
        Array.from({ length: rng.between(1, 120) }, () => String.fromCharCode(rng.next() < 0.7 ? 33 + rng.int(94) : rng.int(256))).join(''),
      ).join('\n');
    const match = /content-transfer-encoding:\s*base64\s*\r?\n/i.exec(text);
    if (!match) {
      // No base64 part: declare the body base64, so that its text is decoded as garbage.
      return { text: setHeader(text, rng, 'Content-Transfer-Encoding', 'base64'), detail: 'a text body declared base64' };
    }
    const bodyStart = text.indexOf('\n\n', match.index) >= 0 ? text.indexOf('\n\n', match.index) + 2 : text.indexOf('\r\n\r\n', match.index) + 4;
    if (bodyStart < 4) return { text: `${text}\n${garbage()}`, detail: 'garbage appended' };
    const next = text.indexOf('\n--', bodyStart);
    const bodyEnd = next < 0 ? text.length : next;
    return { text: `${text.slice(0, bodyStart)}${garbage()}${text.slice(bodyEnd)}`, detail: `base64 body at ${bodyStart}–${bodyEnd} replaced by garbage` };
  }) as Mutate,

  hugeHeader: ((text, rng) => {
    const size = 100 * 1024;
    const variants: [string, () => string][] = [
      ['X-Huge', () => 'A'.repeat(size)],
      ['Subject', () => 'word '.repeat(size / 5)],
      ['To', () => Array.from({ length: size / 32 }, (_, i) => `someone${i}@elsewhere.test`).join(', ')],
      ['References', () => Array.from({ length: size / 32 }, (_, i) => `<ref${i}.${i * 7}@mail.customer.test>`).join(' ')],
      ['In-Reply-To', () => `<${'x'.repeat(size)}@mail.customer.test>`],
      ['From', () => `${'Name '.repeat(size / 5)}<client@customer.test>`],
    ];
    const [name, value] = rng.pick(variants);
    const replace = name !== 'X-Huge' && rng.next() < 0.5;
    const mutated = replace ? setHeader(text, rng, name, value()) : insertHeaders(text, rng, [`${name}: ${value()}`]);
    return { text: mutated, detail: `${replace ? 'replaced' : 'added'} a ${name} header of ~100 KB on one line` };
  }) as Mutate,

  manyHeaders: ((text, rng) => {
    const variants: [string, (i: number) => string][] = [
      ['X-Filler-n', (i) => `X-Filler-${i}: value ${i}`],
      ['Received', (i) => `Received: from relay${i}.elsewhere.test (relay${i}.elsewhere.test [192.0.2.${i % 256}]) by mx.facteur.test; Sun, 22 Nov 2026 10:00:00 +0000`],
      ['Delivered-To', (i) => `Delivered-To: user${i}@elsewhere.test`],
      ['Comments', (i) => `Comments: ${'=?utf-8?Q?caf=C3=A9?= '.repeat(i % 5)}`],
    ];
    const [name, line] = rng.pick(variants);
    return { text: insertHeaders(text, rng, Array.from({ length: 5000 }, (_, i) => line(i))), detail: `5,000 ${name} headers added` };
  }) as Mutate,

  deepNesting: ((text, rng) => {
    const eol = eolOf(text);
    const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
    const end = headerEnd(lines);
    const headers = end < 0 ? lines : lines.slice(0, end);
    const body = end < 0 ? '' : lines.slice(end + 1).join(eol);
    // Top-level headers other than the content ones stay outside; the content ones go to the innermost part.
    const contentHeader = (l: string) => /^content-/i.test(l);
    const outer: string[] = [];
    const inner: string[] = [];
    let target = outer;
    for (const line of headers) {
      if (!/^[ \t]/.test(line)) target = contentHeader(line) ? inner : outer;
      target.push(line);
    }
    const depth = rng.between(150, 300);
    const variant = rng.int(3);
    const boundary = (level: number) => (variant === 1 ? 'same' : `nest${level}`);
    const parts: string[] = [...outer, variant === 2 ? 'Content-Type: message/rfc822' : `Content-Type: multipart/mixed; boundary="${boundary(0)}"`, ''];
    const levels = variant === 2 ? Math.min(depth, 120) : depth;
    for (let level = 0; level < levels; level++) {
      if (variant === 2) parts.push(`Subject: level ${level + 1}`, 'Content-Type: message/rfc822', '');
      else parts.push(`--${boundary(level)}`, `Content-Type: multipart/mixed; boundary="${boundary(level + 1)}"`, '');
    }
    if (variant === 2) parts.push('Subject: innermost', ...inner, '', body);
    else parts.push(`--${boundary(levels)}`, ...(inner.length > 0 ? inner : ['Content-Type: text/plain']), '', body, `--${boundary(levels)}--`);
    if (variant !== 2) for (let level = levels - 1; level >= 0; level--) parts.push(`--${boundary(level)}--`);
    const kinds = ['distinct boundaries', 'the same boundary at every level', 'message/rfc822 inside message/rfc822'];
    return { text: parts.join(eol), detail: `${levels} levels of nesting, ${kinds[variant]}` };
  }) as Mutate,

  noMessageId: ((text) => ({ text: removeHeader(text, 'Message-ID'), detail: 'Message-ID removed' })) as Mutate,

  absurdContentType: ((text, rng) => {
    const values = [
      'text/plain; charset="utf-7"',
      'text/plain; charset=x-bogus-9999',
      'text/plain; charset=""',
      'text/html; charset=utf-8; charset=iso-8859-1; charset=koi8-r',
      'text/plain; format=flowed; delsp=yes; charset=ucs-4',
      'multipart/mixed',
      'multipart/alternative; boundary="unterminated',
      'multipart/report; report-type=delivery-status',
      'message/rfc822',
      ';;;;;;;',
      '/',
      '',
      `text/plain; ${Array.from({ length: 2000 }, (_, i) => `p${i}=v${i}`).join('; ')}`,
      `application/octet-stream; name="${'n'.repeat(10_000)}.bin"`,
      `application/pdf; ${Array.from({ length: 500 }, (_, i) => `name*${i}*=${i === 0 ? "utf-8''" : ''}%FF%FE%00a`).join('; ')}`,
      `multipart/mixed; boundary="${'b'.repeat(5000)}"`,
    ];
    const value = rng.pick(values);
    const parts = [...text.matchAll(/^content-type:/gim)];
    if (parts.length > 1 && rng.next() < 0.5) {
      // A part's Content-Type rather than the message's.
      const m = rng.pick(parts.slice(1));
      const lineEnd = text.indexOf('\n', m.index);
      let end = lineEnd < 0 ? text.length : lineEnd;
      while (end < text.length && /[ \t]/.test(text[end + 1] ?? '')) end = text.indexOf('\n', end + 1) < 0 ? text.length : text.indexOf('\n', end + 1);
      const cr = text[end - 1] === '\r' ? '\r' : '';
      return { text: `${text.slice(0, m.index)}Content-Type: ${value}${cr}${text.slice(end)}`, detail: `a part's Content-Type: ${value.slice(0, 60)}` };
    }
    return { text: setHeader(text, rng, 'Content-Type', value), detail: `Content-Type: ${value.slice(0, 60)}` };
  }) as Mutate,
};

type Kind = keyof typeof mutations;

/** How many of each: 1,000 in all. */
const PLAN: Record<Kind, number> = {
  truncate: 130,
  deleteLine: 90,
  duplicateLine: 70,
  swapLines: 70,
  brokenBoundary: 100,
  badBytes: 120,
  badEncodedWord: 60,
  garbageBase64: 70,
  hugeHeader: 40,
  manyHeaders: 40,
  deepNesting: 40,
  noMessageId: 60,
  absurdContentType: 110,
};

/** Every case gets a Message-ID of its own (and a marker header), so that each is stored and processed. */
function withFreshIds(raw: Buffer, index: number): string {
  const text = removeHeader(raw.toString('latin1'), 'Message-ID');
  const eol = eolOf(text);
  return `Message-ID: <fuzz-${SEED}-${index}@fuzz.facteur.test>${eol}X-Fuzz-Case: ${index}${eol}${text}`;
}

function buildCases(bases: Base[]): Case[] {
  const rng = new Rng(SEED);
  const kinds = rng.shuffle((Object.entries(PLAN) as [Kind, number][]).flatMap(([kind, count]) => Array<Kind>(count).fill(kind)));
  return kinds.map((kind, index) => {
    const base = rng.pick(bases);
    const mutated = mutations[kind](withFreshIds(base.raw, index), rng);
    const raw = 'bytes' in mutated ? mutated.bytes : Buffer.from(mutated.text, 'latin1');
    return { index, kind, base: base.name, detail: mutated.detail, raw };
  });
}

// ---------------------------------------------------------------------------------------------

let t: OutboundApp;
let thread: SentThread;
let bases: Base[];

before(async () => {
  // Many mutations answer the same thread from the same sender: the sender-loop limit is not what this tests.
  t = await startOutboundApp({ INBOUND_LOOP_LIMIT: '100000' });
  thread = await sentThread(t, { domain: 'facteur.test', clientEmail: 'client@customer.test', resId: '23' });
  await createAlias(t.app.mail, SYSTEM, { name: 'sales', domain: 'facteur.test', model: 'crm.lead' });
  bases = [...corpusBases(thread), ...(await composedBases(thread))];
});
after(() => t.close());

/** The error and its first frames in our code or mailparser's (PGlite's WASM frames say nothing). */
function brief(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const frames = (error.stack ?? '')
    .split('\n')
    .slice(1)
    .map((l) => l.trim())
    .filter((l) => /\/(src|test)\/|mailparser|mailsplit|libmime/.test(l) && !l.includes('node:internal'));
  return `${error.name}: ${error.message}${frames.length > 0 ? ` | ${frames.slice(0, 5).join(' | ')}` : ''}`;
}

/** Which of the fields the gateway stores as text came out of the parser with a U+0000 in them. */
async function nulFields(raw: Buffer): Promise<string> {
  try {
    const parsed = await parseInbound(raw);
    const fields = { rfcMessageId: parsed.rfcMessageId, subject: parsed.subject, 'from.address': parsed.from?.address, 'from.name': parsed.from?.name };
    const withNul = Object.entries(fields).filter(([, v]) => typeof v === 'string' && v.includes('\u0000'));
    return withNul.length > 0 ? ` [parsed ${withNul.map(([k, v]) => `${k} ${JSON.stringify(v).slice(0, 80)}`).join(', ')}]` : '';
  } catch {
    return '';
  }
}

function timeout(ms: number): { promise: Promise<never>; clear: () => void } {
  let timer: NodeJS.Timeout;
  const promise = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms: the gateway hangs`)), ms);
  });
  return { promise, clear: () => clearTimeout(timer) };
}

describe('robustness: 1,000 random mutations of the inbound fixtures', () => {
  test('the gateway never throws or hangs; every message is stored once per Message-ID and ends in a state with a reason', async (ctx) => {
    const cases = buildCases(bases).filter((c) => !ONLY || ONLY.has(c.index));
    assert.equal(cases.length, ONLY ? ONLY.size : 1000);
    ctx.diagnostic(`FUZZ_SEED=${SEED}: ${cases.length} cases over ${bases.length} base messages`);
    const before = Number((await t.db.selectFrom('inbound_emails').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);

    const problems: string[] = [];
    const tally = new Map<string, Map<string, number>>();
    const parsedIds = new Set<string>();
    const stored = new Set<number>();
    let duplicates = 0;
    const timeByKind = new Map<string, number>();
    const slowest: { ms: number; label: string }[] = [];
    const started = performance.now();
    for (const c of cases) {
      const label = `case ${c.index} (${c.kind}: ${c.detail}; base ${c.base}; ${c.raw.length} bytes)`;
      const keep = () => {
        const file = path.join(tmpdir(), `facteur-fuzz-${SEED}-${c.index}.eml`);
        writeFileSync(file, c.raw);
        return `replay: FUZZ_SEED=${SEED} FUZZ_CASE=${c.index}; raw written to ${file}`;
      };
      const fail = (what: string) => {
        problems.push(`${label}: ${what}`);
        console.log(`PROBLEM ${label}: ${what} — ${keep()}`);
      };
      // What the gateway will take as its identity: its own parser's Message-ID (or hash of the bytes).
      let id: string;
      try {
        id = (await parseInbound(c.raw)).rfcMessageId;
      } catch (error) {
        id = `(parseInbound threw on case ${c.index})`;
        fail(`parseInbound threw, though it promises never to: ${brief(error)}`);
      }
      const seenBefore = parsedIds.has(id);
      parsedIds.add(id);

      let result: ReceiveResult;
      const caseStarted = performance.now();
      const limit = timeout(CASE_TIMEOUT_MS);
      try {
        result = await Promise.race([receive(t, c.raw), limit.promise]);
      } catch (error) {
        fail(`receiveInbound threw (the message was not stored): ${brief(error)}${await nulFields(c.raw)}`);
        continue;
      } finally {
        limit.clear();
      }
      const ms = performance.now() - caseStarted;
      timeByKind.set(c.kind, (timeByKind.get(c.kind) ?? 0) + ms);
      slowest.push({ ms, label });
      slowest.sort((a, b) => b.ms - a.ms).splice(5);
      const byState = tally.get(c.kind) ?? new Map<string, number>();
      byState.set(result.state, (byState.get(result.state) ?? 0) + 1);
      tally.set(c.kind, byState);
      if (!STATES.has(result.state)) fail(`unknown state ${JSON.stringify(result.state)}`);
      if (result.state !== 'routed' && !(typeof result.reason === 'string' && result.reason.trim() !== '')) {
        fail(`state ${result.state} without a reason (route ${result.route})`);
      }
      // Allowed (the message is kept, with why), but worth a look: processing threw.
      if (result.state === 'failed') ctx.diagnostic(`failed, with its reason — ${label}: ${result.reason} — ${keep()}`);
      if (result.duplicate) {
        duplicates += 1;
        if (!seenBefore) fail(`reported as a duplicate of inbound email ${result.id}, but no earlier case had its Message-ID ${id}`);
      } else {
        if (seenBefore) fail(`stored again (inbound email ${result.id}) although an earlier case had its Message-ID ${id}`);
        stored.add(result.id);
      }
    }
    const seconds = (performance.now() - started) / 1000;

    const states = ['routed', 'bounced', 'dropped', 'unrouted', 'failed', 'received'];
    ctx.diagnostic(`${cases.length} cases in ${seconds.toFixed(1)} s; by mutation: ${states.join('/')}, and time in receiveInbound`);
    for (const [kind, byState] of tally) {
      ctx.diagnostic(`  ${kind.padEnd(18)} ${states.map((s) => byState.get(s) ?? 0).join('/').padEnd(16)} ${((timeByKind.get(kind) ?? 0) / 1000).toFixed(1)} s`);
    }
    for (const { ms, label } of slowest) ctx.diagnostic(`  slowest: ${ms.toFixed(0)} ms, ${label}`);

    const after = Number((await t.db.selectFrom('inbound_emails').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow()).n);
    if (problems.length === 0) {
      assert.equal(stored.size, cases.length - duplicates, 'one stored message per case that was not a duplicate');
      assert.equal(after - before, parsedIds.size, 'inbound_emails holds one row per distinct Message-ID handed in');
      assert.equal(after - before, stored.size, 'and those are the rows the gateway said it stored');
    }
    assert.ok(problems.length === 0, `${problems.length} problems in ${cases.length} cases (FUZZ_SEED=${SEED}; each is listed above as PROBLEM), e.g.:\n${problems.slice(0, 5).join('\n')}`);
  });
});
