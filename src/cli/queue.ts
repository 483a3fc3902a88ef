// `facteur queue …`: the send queue from a terminal, like the seed's send_queue / retry_queue (seed 002).
import type { Command } from 'commander';
import { SYSTEM } from '../chatter/actor.ts';
import { cancelQueued, outboxCounts, readOutbox, retryFailed, sendQueueNow } from '../outbox/outbox.ts';
import type { BatchReport } from '../outbox/send.ts';
import { oneOf, positiveId as id } from './arguments.ts';
import { withApp } from './context.ts';

const STATES = ['queued', 'sending', 'sent', 'delivered', 'exception', 'canceled'] as const;

const state = oneOf(STATES);

/** One line that counts up in a terminal; a line per step otherwise (logs, CI). */
function progress(total: BatchReport): void {
  const line = `sent ${total.sent}, to retry ${total.retried}, failed ${total.failed} (of ${total.claimed} processed)`;
  if (process.stderr.isTTY) process.stderr.write(`\r${line}`);
  else console.error(line);
}

export function registerQueueCommands(program: Command): void {
  const queue = program.command('queue').description('The send queue: one entry per email recipient');
  queue
    .command('list')
    .description('List entries, newest first, with the count in each state')
    .option('--state <state>', `one of ${STATES.join(', ')}`, state)
    .option('--company <id>', 'entries of records of this company', id)
    .option('--limit <n>', 'how many', id, 50)
    .action((options: { state?: (typeof STATES)[number]; company?: number; limit: number }) =>
      withApp(async (app) => {
        const counts = await outboxCounts(app.chatter, SYSTEM);
        console.log(STATES.map((s) => `${s}: ${counts[s] ?? 0}`).join('  '));
        for (const entry of await readOutbox(app.chatter, SYSTEM, { state: options.state, companyId: options.company, limit: options.limit })) {
          const failure = entry.failureType ? `  ${entry.failureType}: ${entry.failureReason ?? ''}` : '';
          console.log(`${entry.id}\t${entry.state}\t${entry.emailTo ?? '(no address)'}\tattempts ${entry.attempts}${failure}`);
        }
      }),
    );
  queue
    .command('send')
    .description('Send every entry that is due now (alongside any running worker)')
    .action(() =>
      withApp(async (app) => {
        const total = await sendQueueNow(app.mail, SYSTEM, progress);
        if (process.stderr.isTTY && total.claimed > 0) process.stderr.write('\n');
        console.log(`Done: ${total.sent} sent, ${total.retried} to retry later, ${total.failed} failed.`);
      }),
    );
  queue
    .command('retry [id]')
    .description('Put entries in error back in the queue (all of them, or one)')
    .action((entryId?: string) =>
      withApp(async (app) => {
        const { requeued } = await retryFailed(app.chatter, SYSTEM, entryId === undefined ? undefined : [id(entryId)]);
        console.log(`${requeued.length} entr${requeued.length === 1 ? 'y' : 'ies'} back in the queue.`);
      }),
    );
  queue
    .command('cancel <id>')
    .description('Cancel a queued entry or an entry in error')
    .action((entryId: string) =>
      withApp(async (app) => {
        await cancelQueued(app.chatter, SYSTEM, id(entryId));
        console.log(`Entry ${entryId} canceled.`);
      }),
    );
}
