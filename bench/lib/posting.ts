// The measurements behind the `fanout` benchmark, on one engine. Every post goes through the real
// postMessage; setup (partners, records, followers, ANALYZE) is outside the clock.
import { sql } from 'kysely';
import { SYSTEM } from '../../src/chatter/actor.ts';
import type { ChatterDeps } from '../../src/chatter/deps.ts';
import type { RecordRef } from '../../src/chatter/lookups.ts';
import { postMessage, type PostInput } from '../../src/chatter/post.ts';
import { analyzeNonEmptyTables, recordFollowedBy } from './fixtures.ts';
import { compileReferenceInserts, countReferenceRows, runReferenceInserts, type ReferenceRecipient } from './reference.ts';
import { StatementTimer, type StatementTiming } from './statement-timer.ts';
import { timed } from './stats.ts';

const COMMENT: PostInput = { kind: 'comment', body: '<p>Your order has shipped. Tracking number: <b>FR 1234 5678</b>.</p>' };

export interface FanoutRun {
  postMs: number;
  referenceMs: number;
}

/** A fresh record per run, so that every run posts to exactly `recipients` followers and no one else. */
async function freshRecord(deps: ChatterDeps, resId: string, partnerIds: number[]): Promise<RecordRef> {
  const ref = await recordFollowedBy(deps, resId, partnerIds);
  await analyzeNonEmptyTables(deps.db);
  return ref;
}

/** A benchmark that measured the wrong work would be worse than none: check what the post wrote. */
async function checkFanout(deps: ChatterDeps, messageId: number, notified: number, expected: number): Promise<void> {
  const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM outbox WHERE message_id = ${messageId}`.execute(deps.db);
  if (notified !== expected || rows[0]?.n !== expected) {
    throw new Error(`Post ${messageId} notified ${notified} by email and queued ${rows[0]?.n} emails; expected ${expected}.`);
  }
}

/** One run: the post to every recipient, then the reference writing the same rows. */
export async function fanoutRun(deps: ChatterDeps, key: string, recipients: ReferenceRecipient[], firstReferenceId: number): Promise<FanoutRun> {
  const ref = await freshRecord(deps, key, recipients.map((r) => r.partnerId));
  const post = await timed(() => postMessage(deps, SYSTEM, ref, COMMENT));
  await checkFanout(deps, post.value.id, post.value.notified.email, recipients.length);
  const queries = compileReferenceInserts(deps.db, post.value.id, recipients, firstReferenceId);
  const reference = await timed(() => runReferenceInserts(deps.db, queries));
  const written = await countReferenceRows(deps.db, post.value.id);
  if (written !== recipients.length) throw new Error(`The reference wrote ${written} outbox rows; expected ${recipients.length}.`);
  return { postMs: post.ms, referenceMs: reference.ms };
}

/** `count` posts one after the other on a record with a few followers; returns messages per second. */
export async function burstRun(deps: ChatterDeps, key: string, partnerIds: number[], count: number): Promise<number> {
  const ref = await freshRecord(deps, key, partnerIds);
  const { ms } = await timed(async () => {
    for (let i = 0; i < count; i++) await postMessage(deps, SYSTEM, ref, COMMENT);
  });
  return count / (ms / 1000);
}

export interface Breakdown {
  totalMs: number;
  statements: (StatementTiming & { ms: number })[];
  /** From the call to the first statement: validation, sanitising, BEGIN. */
  beforeMs: number;
  /** From the last statement to the return: COMMIT, mostly. */
  afterMs: number;
}

/** One more post, with every statement timed; not part of the headline figures. */
export async function fanoutBreakdown(deps: ChatterDeps, key: string, partnerIds: number[]): Promise<Breakdown> {
  const ref = await freshRecord(deps, key, partnerIds);
  const timer = new StatementTimer();
  const start = performance.now();
  await postMessage({ ...deps, db: deps.db.withPlugin(timer) }, SYSTEM, ref, COMMENT);
  const end = performance.now();
  const first = timer.timings[0];
  const last = timer.timings.at(-1);
  return {
    totalMs: end - start,
    statements: timer.timings.map((t) => ({ ...t, ms: t.end - t.start })),
    beforeMs: (first?.start ?? end) - start,
    afterMs: end - (last?.end ?? start),
  };
}
