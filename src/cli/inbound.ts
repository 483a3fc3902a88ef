// `facteur inbound …` and `facteur alias …`: what came in, with its state and reason, re-processing
// (issue 4 §5), handing in a saved .eml, and the aliases that create records (seed 000 §3.3).
import { readFile } from 'node:fs/promises';
import { InvalidArgumentError, type Command } from 'commander';
import { SYSTEM } from '../chatter/actor.ts';
import { createAlias, listAliases, removeAlias } from '../inbound/aliases.ts';
import { getInbound, listInbound, receiveRaw, retryInbound, type InboundEmailRow } from '../inbound/inbound.ts';
import { oneOf, positiveId } from './arguments.ts';
import { withApp } from './context.ts';

const STATES = ['received', 'routed', 'bounced', 'dropped', 'unrouted', 'failed'] as const;
const POLICIES = ['everyone', 'partners', 'followers'] as const;

/** `model:resId`, as records are named everywhere else. */
function recordRef(value: string): { model: string; resId: string } {
  const colon = value.indexOf(':');
  if (colon <= 0 || colon === value.length - 1) throw new InvalidArgumentError('must be model:resId, e.g. crm.team:1');
  return { model: value.slice(0, colon), resId: value.slice(colon + 1) };
}

function describe(email: Pick<InboundEmailRow, 'id' | 'state' | 'route' | 'reason' | 'sender' | 'subject' | 'recordId'>): string {
  const where = email.recordId !== null ? ` → record ${email.recordId}` : '';
  const why = email.reason ? `  (${email.reason})` : '';
  return `${email.id}\t${email.state}${email.route ? `/${email.route}` : ''}\t${email.sender ?? '(no sender)'}\t${email.subject ?? '(no subject)'}${where}${why}`;
}

export function registerInboundCommands(program: Command): void {
  const inbound = program.command('inbound').description('Received email: state, route and reason of each message');
  inbound
    .command('list')
    .description('List received emails, newest first, with the count in each state')
    .option('--state <state>', `one of ${STATES.join(', ')}`, oneOf(STATES))
    .option('--limit <n>', 'how many', positiveId, 50)
    .action((options: { state?: (typeof STATES)[number]; limit: number }) =>
      withApp(async (app) => {
        const { emails, counts } = await listInbound(app.mail, SYSTEM, { state: options.state, limit: options.limit });
        console.log(STATES.map((s) => `${s}: ${counts[s] ?? 0}`).join('  '));
        for (const email of emails) console.log(describe(email));
      }),
    );
  inbound
    .command('show <id>')
    .description('Show one received email')
    .action((id: string) => withApp(async (app) => console.log(JSON.stringify(await getInbound(app.mail, SYSTEM, positiveId(id)), null, 2))));
  inbound
    .command('retry <id>')
    .description('Process a received, unrouted, dropped or failed email again')
    .action((id: string) => withApp(async (app) => console.log(describe(await retryInbound(app.mail, SYSTEM, positiveId(id))))));
  inbound
    .command('receive <file>')
    .description('Hand in a raw email saved as a file (.eml), as if it had just arrived')
    .action((file: string) =>
      withApp(async (app) => {
        const result = await receiveRaw(app.mail, SYSTEM, await readFile(file));
        console.log(`${result.duplicate ? 'Already received as' : 'Stored as'} inbound ${result.id}: ${result.state}${result.route ? `/${result.route}` : ''}${result.reason ? ` (${result.reason})` : ''}`);
      }),
    );

  const alias = program.command('alias').description('Aliases: name@alias-domain creates records of a model (seed 000 §3.3)');
  alias
    .command('add <address> <model>')
    .description('Create an alias, e.g. `facteur alias add sales@example.com crm.lead`')
    .option('--parent <model:resId>', 'new records get this parent; its followers follow them', recordRef)
    .option('--record <model:resId>', 'post every message on this record instead of creating one', recordRef)
    .option('--policy <policy>', `who may write: ${POLICIES.join(', ')}`, oneOf(POLICIES), 'everyone')
    .action((address: string, model: string, options: { parent?: { model: string; resId: string }; record?: { model: string; resId: string }; policy: (typeof POLICIES)[number] }) =>
      withApp(async (app) => {
        const at = address.lastIndexOf('@');
        if (at <= 0) throw new InvalidArgumentError(`"${address}" is not an address: write name@alias-domain`);
        const created = await createAlias(app.mail, SYSTEM, { name: address.slice(0, at), domain: address.slice(at + 1), model, parent: options.parent, record: options.record, contactPolicy: options.policy });
        console.log(`Alias ${created.id}: ${created.name}@${created.domain} → ${created.model} (${created.contactPolicy})`);
      }),
    );
  alias
    .command('list')
    .description('List aliases')
    .action(() =>
      withApp(async (app) => {
        for (const a of await listAliases(app.mail, SYSTEM)) console.log(`${a.id}\t${a.name}@${a.domain}\t${a.model}\t${a.contactPolicy}${a.active ? '' : '\t(inactive)'}`);
      }),
    );
  alias
    .command('remove <id>')
    .description('Remove an alias')
    .action((id: string) => withApp(async (app) => removeAlias(app.mail, SYSTEM, positiveId(id))));
}
