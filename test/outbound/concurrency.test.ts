// Issue 3, point 3: many workers share the outbox and never send an entry twice (claim with
// FOR UPDATE SKIP LOCKED and a lease); the entries of a worker that died come back after the lease
// and are sent, none lost. Counted at a real SMTP peer: one email per entry, by X-Message-Id.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test, type TestContext } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { addFollowers } from '../../src/chatter/followers.store.ts';
import { listSubtypes } from '../../src/chatter/subtypes.store.ts';
import { openDatabase } from '../../src/db/database.ts';
import { claimDueEntries } from '../../src/outbox/claim.store.ts';
import { outboxIdFromHeader } from '../../src/mail/rules/x-message-id.ts';
import { drainQueue, startOutboxWorker } from '../../src/outbox/worker.ts';
import { facteurEnv, killAllFacteurs, startFacteur, type FacteurProcess } from '../helpers/cli.ts';
import { testDatabaseUrl } from '../helpers/database.ts';
import {
  LEASE_SECONDS,
  MASTER_KEY,
  company,
  drain,
  entries,
  eventually,
  post,
  record,
  smtpServer,
  staff,
  startOutboundApp,
  unique,
  useServers,
  withdrawLeftovers,
  type OutboundApp,
} from '../helpers/smtp-app.ts';
import { startSmtpPeer, type ReceivedEmail, type SmtpPeer } from '../helpers/smtp.ts';

const BULK = 3000;

/** `count` new partners with an address each, following the record for discussions — set-based. */
async function emailFollowers(t: OutboundApp, recordId: number, count: number): Promise<number[]> {
  const tag = randomBytes(3).toString('hex');
  const { rows } = await sql<{ id: number }>`
    INSERT INTO partners (name, email, email_normalized)
    SELECT 'Follower ' || g, 'follower' || g || '.' || ${tag} || '@bulk.example', 'follower' || g || '.' || ${tag} || '@bulk.example'
    FROM generate_series(1, ${count}::int) AS g
    RETURNING id`.execute(t.db);
  const discussion = (await listSubtypes(t.db)).find((s) => s.code === 'discussion' && s.model === null);
  assert.ok(discussion, 'the discussion subtype exists');
  const partnerIds = rows.map((r) => r.id);
  await addFollowers(t.db, recordId, partnerIds.map((partnerId) => ({ partnerId, subtypeIds: [discussion.id] })));
  return partnerIds;
}

/** Every email the peer received names one entry, and every entry of `ids` was received exactly once. */
function assertEachOnce(received: ReceivedEmail[], ids: number[]): void {
  const counts = new Map<number, number>();
  for (const email of received) {
    const header = email.header('X-Message-Id');
    const id = header === undefined ? null : outboxIdFromHeader(header);
    assert.ok(id !== null, `an email without our X-Message-Id: ${header}`);
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  const twice = [...counts].filter(([, n]) => n > 1).map(([id]) => id);
  assert.deepEqual(twice, [], 'no entry was sent twice');
  const missing = ids.filter((id) => !counts.has(id));
  assert.deepEqual(missing, [], 'no entry was lost');
  assert.equal(counts.size, ids.length, 'nothing else was sent');
  const recipients = new Set(received.map((e) => e.rcptTo.join(',')));
  assert.equal(recipients.size, ids.length, 'one email per recipient');
}

async function countByState(t: OutboundApp, messageId: number): Promise<Record<string, number>> {
  const { rows } = await sql<{ state: string; n: number }>`
    SELECT state, count(*)::int AS n FROM outbox WHERE message_id = ${messageId} GROUP BY state`.execute(t.db);
  return Object.fromEntries(rows.map((r) => [r.state, r.n]));
}

describe('several workers on one queue', () => {
  let t: OutboundApp;
  let peer: SmtpPeer;
  let acme: Awaited<ReturnType<typeof company>>;
  let alice: Awaited<ReturnType<typeof staff>>;

  before(async () => {
    // The periodic sweep every second, so that a running worker finds expired leases soon.
    t = await startOutboundApp({ OUTBOX_SWEEP_SECONDS: '1' });
    peer = await startSmtpPeer();
    await useServers(t, [smtpServer(peer, { name: 'Relay' })]);
    acme = await company(t, 'Acme', 'acme.example');
    alice = await staff(t, { name: 'Alice Martin', email: 'alice@acme.example', companyId: acme.id, notification: 'inbox' });
  });
  after(async () => {
    await peer?.close();
    await t?.close();
  });

  test('a worker killed in the middle of a batch: its entries wait for the lease, then are all sent, once', async () => {
    await withdrawLeftovers(t);
    peer.reset();
    const rec = await record(t, { name: `S${unique()}`, companyId: acme.id });
    await emailFollowers(t, rec.id, 25);
    const posted = await post(t, rec, { authorPartnerId: alice.partnerId });
    assert.equal(posted.notified.email, 25);

    // A worker claims the whole batch and dies before it settles anything.
    const claimed = await claimDueEntries(t.db, 1000, LEASE_SECONDS);
    assert.equal(claimed.length, 25);

    // Another worker looks at the queue while the lease runs: it takes none of them.
    const early = await drain(t);
    const { rows } = await sql<{ leased: number }>`
      SELECT count(*)::int AS leased FROM outbox WHERE id = any(${claimed}::bigint[]) AND state = 'sending' AND lease_until > now()`.execute(t.db);
    assert.equal(rows[0]!.leased, 25, 'the lease still ran when that worker looked (so the check below means something)');
    assert.equal(early.claimed, 0, 'a leased entry is not taken before its lease ends');
    assert.equal(peer.seen.connections, 0);

    // A real worker (periodic sweep every second) takes them over once the lease has ended.
    const worker = await startOutboxWorker(t.app.mail, t.app.database);
    try {
      await peer.waitForMessages(25, (LEASE_SECONDS + 20) * 1000);
      await eventually('the entries to be settled', async () => ((await countByState(t, posted.id)).sent === 25 ? true : undefined));
    } finally {
      await worker.stop();
    }
    assertEachOnce(peer.received, claimed);
    const rowsAfter = await entries(t, { messageId: posted.id });
    assert.deepEqual([...new Set(rowsAfter.map((r) => r.state))], ['sent']);
    assert.deepEqual([...new Set(rowsAfter.map((r) => r.attempts))], [2], 'claimed by the dead worker, then once more');
    assert.deepEqual([...new Set(rowsAfter.map((r) => r.notification?.status))], ['sent']);
  });

  test(`three concurrent drains in one process share ${BULK} entries: each sent exactly once`, async (c: TestContext) => {
    await withdrawLeftovers(t);
    peer.reset();
    const rec = await record(t, { name: `Bulk ${unique()}`, companyId: acme.id });
    await emailFollowers(t, rec.id, BULK);
    const posted = await post(t, rec, { authorPartnerId: alice.partnerId });
    assert.equal(posted.notified.email, BULK);
    const ids = (await entries(t, { messageId: posted.id })).map((e) => e.id);

    const started = Date.now();
    const reports = await Promise.all([drainQueue(t.app.mail), drainQueue(t.app.mail), drainQueue(t.app.mail)]);
    const seconds = (Date.now() - started) / 1000;
    c.diagnostic(`${t.app.database.engine}: ${BULK} entries, 3 concurrent drains, ${seconds.toFixed(1)} s (${Math.round(BULK / seconds)}/s); sent per drain: ${reports.map((r) => r.sent).join(', ')}`);

    assert.equal(reports.reduce((sum, r) => sum + r.claimed, 0), BULK, 'no entry was claimed twice');
    assert.equal(reports.reduce((sum, r) => sum + r.sent, 0), BULK);
    await peer.waitForMessages(BULK, 10_000);
    assertEachOnce(peer.received, ids);
    assert.deepEqual(await countByState(t, posted.id), { sent: BULK });
    const { rows } = await sql<{ attempts: number; n: number }>`
      SELECT attempts, count(*)::int AS n FROM outbox WHERE message_id = ${posted.id} GROUP BY attempts`.execute(t.db);
    assert.deepEqual(rows, [{ attempts: 1, n: BULK }], 'every entry was claimed once');
  });
});

// Worker processes need a database of their own that several processes can open: PostgreSQL.
// PGlite is one process's database (its data directory is locked), so this part cannot run there;
// the in-process test above covers concurrent claims on PGlite.
describe('three worker processes on one PostgreSQL', { skip: !testDatabaseUrl && 'needs PostgreSQL (TEST_DATABASE_URL): PGlite is a single-process database' }, () => {
  const databaseName = `facteur_w_${randomBytes(6).toString('hex')}`;
  let admin: pg.Client | undefined;
  let databaseCreated = false;
  let t: OutboundApp | undefined;
  let peer: SmtpPeer | undefined;
  let dataDir: string | undefined;
  const workers: FacteurProcess[] = [];

  before(async () => {
    admin = new pg.Client({ connectionString: testDatabaseUrl });
    await admin.connect();
    await admin.query(`CREATE DATABASE ${databaseName}`);
    databaseCreated = true;
    dataDir = await mkdtemp(path.join(tmpdir(), 'facteur-workers-'));
  });
  after(async () => {
    await killAllFacteurs();
    await t?.close();
    await peer?.close();
    if (databaseCreated && admin) {
      // pg's Pool.end() resolves before its connections are gone on the server; a connection still
      // closing when DROP … WITH (FORCE) terminates it would raise an error nobody listens to.
      const client = admin;
      await eventually('the connections to the worker database to close', async () => {
        const { rows } = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1', [databaseName]);
        return rows[0]!.n === 0 ? true : undefined;
      }, 10_000, 50).catch(() => {});
      await client.query(`DROP DATABASE IF EXISTS ${databaseName} WITH (FORCE)`);
    }
    await admin?.end();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  test(`${BULK} entries drained by three \`facteur start --role worker\` processes: every entry sent exactly once`, async (c: TestContext) => {
    const url = new URL(testDatabaseUrl!);
    url.pathname = `/${databaseName}`;
    const databaseUrl = url.toString();
    t = await startOutboundApp({}, await openDatabase({ kind: 'postgres', url: databaseUrl, poolSize: 4 }));
    peer = await startSmtpPeer();
    await useServers(t, [smtpServer(peer, { name: 'Relay' })]);
    const acmeCompany = await company(t, 'Acme', 'acme.example');
    const author = await staff(t, { name: 'Alice Martin', email: 'alice@acme.example', companyId: acmeCompany.id, notification: 'inbox' });
    const rec = await record(t, { name: 'Bulk', companyId: acmeCompany.id });
    await emailFollowers(t, rec.id, BULK);

    const env = facteurEnv({
      DATABASE_URL: databaseUrl,
      FACTEUR_MASTER_KEY: MASTER_KEY,
      FACTEUR_DATA_DIR: dataDir!,
      // Info, not silent: each batch is logged ("outbox batch sent", with its counts), which tells
      // what each process claimed; a failed batch is logged at error level and shown on failure.
      LOG_LEVEL: 'info',
    });
    for (let i = 0; i < 3; i += 1) workers.push(startFacteur(['start', '--role', 'worker'], env));
    await Promise.all(workers.map((w) => w.waitForOutput(/Facteur is running \(worker\)/, 60_000)));

    // Queued while the three run: the NOTIFY of the post wakes them all at once.
    const started = Date.now();
    const posted = await post(t, rec, { authorPartnerId: author.partnerId });
    assert.equal(posted.notified.email, BULK);
    const ids = (await entries(t, { messageId: posted.id })).map((e) => e.id);
    try {
      await peer.waitForMessages(BULK, 180_000);
      await eventually('every entry to be settled', async () => ((await countByState(t!, posted.id)).sent === BULK ? true : undefined), 30_000);
    } catch (error) {
      const output = workers.map((w, i) => `worker ${i}: stdout ${w.stdout.slice(-2000)}\nstderr ${w.stderr.slice(-2000)}`).join('\n');
      throw new Error(`${(error as Error).message}\nqueue: ${JSON.stringify(await countByState(t, posted.id))}\n${output}`);
    }
    const seconds = (Date.now() - started) / 1000;
    c.diagnostic(`postgres: ${BULK} entries, 3 worker processes, ${seconds.toFixed(1)} s from post to all sent (${Math.round(BULK / seconds)}/s); ${peer.seen.connections} SMTP connections`);

    assertEachOnce(peer.received, ids);
    assert.deepEqual(await countByState(t, posted.id), { sent: BULK });
    const { rows } = await sql<{ attempts: number; n: number }>`
      SELECT attempts, count(*)::int AS n FROM outbox WHERE message_id = ${posted.id} GROUP BY attempts`.execute(t.db);
    assert.deepEqual(rows, [{ attempts: 1, n: BULK }], 'every entry was claimed once');
    // The three processes raced to create the installation's reply secret: one secret won, one token.
    assert.equal(new Set(peer.received.map((e) => e.header('Reply-To'))).size, 1, 'the same reply token in every email');

    const exits = await Promise.all(workers.map((w) => w.stop('SIGTERM', 30_000)));
    const claimedBy: number[] = [];
    for (const [i, exit] of exits.entries()) {
      assert.equal(exit.code, 0, `worker ${i} stops cleanly on SIGTERM: ${exit.stderr}`);
      const events = exit.stdout
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { level: number; msg: string; claimed?: number; sent?: number });
      assert.deepEqual(events.filter((e) => e.level >= 50), [], `worker ${i} logged no error`);
      const batches = events.filter((e) => e.msg === 'outbox batch sent');
      claimedBy.push(batches.reduce((sum, e) => sum + (e.claimed ?? 0), 0));
      assert.equal(batches.reduce((sum, e) => sum + (e.sent ?? 0), 0), claimedBy[i], `worker ${i} sent all it claimed`);
    }
    // Which process got how many depends on scheduling; what must hold is that the claims add up.
    c.diagnostic(`claimed per worker process: ${claimedBy.join(', ')}`);
    assert.equal(claimedBy.reduce((a, b) => a + b, 0), BULK, 'the claims of the three processes add up to the queue: none twice');
  });
});
