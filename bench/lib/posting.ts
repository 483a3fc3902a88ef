// The measurements behind the `fanout` benchmark, on one engine. Every post goes through the real
// postMessage; setup (partners, records, followers, ANALYZE) is outside the clock.
import { sql } from 'kysely';
import { SYSTEM } from '../../src/chatter/actor.ts';
import type { ChatterDeps } from '../../src/chatter/deps.ts';
import type { RecordRef } from '../../src/chatter/lookups.ts';
import { postMessage, type PostInput } from '../../src/chatter/post.ts';
import { analyzeNonEmptyTables, recordFollowedBy } from './fixtures.ts';
import { compileReferenceInserts, countReferenceRows, runReferenceInserts, type ReferenceRecipient } from './reference.ts';
import { StatementTimer } from './statement-timer.ts';
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
  posts: number;
  /** Means per post, in ms. */
  totalMs: number;
  statements: { caller: string; ms: number }[];
  /** From the call to the first statement: validation, sanitising, BEGIN. */
  beforeMs: number;
  /** From the last statement to the return: COMMIT, mostly. */
  afterMs: number;
}

/**
 * `posts` more posts with every statement timed, averaged statement by statement (every post of the
 * same shape runs the same statements in the same order); not part of the headline figures.
 */
export async function postBreakdown(deps: ChatterDeps, key: string, partnerIds: number[], posts = 1): Promise<Breakdown> {
  const ref = await freshRecord(deps, key, partnerIds);
  const sum: Breakdown = { posts, totalMs: 0, statements: [], beforeMs: 0, afterMs: 0 };
  for (let i = 0; i < posts; i++) {
    const timer = new StatementTimer();
    const start = performance.now();
    await postMessage({ ...deps, db: deps.db.withPlugin(timer) }, SYSTEM, ref, COMMENT);
    const end = performance.now();
    sum.totalMs += end - start;
    sum.beforeMs += (timer.timings[0]?.start ?? end) - start;
    sum.afterMs += end - (timer.timings.at(-1)?.end ?? start);
    timer.timings.forEach((t, n) => {
      sum.statements[n] ??= { caller: t.caller, ms: 0 };
      sum.statements[n].ms += t.end - t.start;
    });
  }
  return {
    posts,
    totalMs: sum.totalMs / posts,
    statements: sum.statements.map((s) => ({ caller: s.caller, ms: s.ms / posts })),
    beforeMs: sum.beforeMs / posts,
    afterMs: sum.afterMs / posts,
  };
}
