// The `facteur` command. Each command validates its input, calls one operation and prints the result.
import { Command, InvalidArgumentError } from 'commander';
import { ensureAdministrator } from './accounts/first-admin.ts';
import { createApiKey, listApiKeys, revokeApiKey } from './apikeys/apikeys.ts';
import { SYSTEM } from './chatter/actor.ts';
import { createApp, describeDatabase } from './app.ts';
import { ConfigError, loadConfig } from './config.ts';
import { DataDirInUseError } from './db/database.ts';
import { keepStatisticsFresh } from './db/statistics.ts';
import { FacteurError } from './errors.ts';
import { withApp } from './cli/context.ts';
import { registerInboundCommands } from './cli/inbound.ts';
import { registerIncomingCommands } from './cli/incoming.ts';
import { registerQueueCommands } from './cli/queue.ts';
import { registerServerCommands } from './cli/servers.ts';
import { registerSweegoCommands } from './cli/sweego.ts';
import { registerUserCommands } from './cli/users.ts';
import { loadDemo } from './demo/seed000.ts';
import { buildHttpServer } from './http/server.ts';
import { startInboundRecovery } from './inbound/recovery.ts';
import { startSweegoLogSync } from './sweego/log-sync.ts';
import { startInboundFetcher } from './inbound/fetcher.ts';
import { listIncomingServers } from './inbound/incoming-servers.ts';
import { startSmtpListener } from './inbound/smtp-listener.ts';
import { activeServersForSending } from './mail/servers.ts';
import { startOutboxWorker } from './outbox/worker.ts';

function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number <= 0) throw new InvalidArgumentError('must be a positive whole number');
  return number;
}

function printDemo(summary: Awaited<ReturnType<typeof loadDemo>>): void {
  if (summary.alreadyLoaded) {
    console.log(`The demo is already loaded: ${summary.record.model} ${summary.record.resId}.`);
    return;
  }
  const { users, partners } = summary as Exclude<typeof summary, { alreadyLoaded: true }>;
  console.log('Demo loaded (seed 000 §12): quotation sale.order 23 "S00023" of the sales team crm.team 1 "Europe".');
  console.log(`  User 1          user ${users.user1.userId}, partner ${users.user1.partnerId} — internal, follows discussions + notes`);
  console.log(`  User 2          user ${users.user2.userId}, partner ${users.user2.partnerId} — internal, follows discussions + notes`);
  console.log(`  Monsieur Client partner ${partners.monsieurClient} — external, follows discussions + notes`);
  console.log(`  Madame Contact  partner ${partners.madameContact} — external, follows discussions`);
  console.log(`  Administrator   user ${users.administrator.userId}, partner ${users.administrator.partnerId} — internal, does not follow`);
}

type Role = 'all' | 'api' | 'worker' | 'smtp';

async function start(options: { demo?: boolean; role: Role }): Promise<void> {
  const app = await createApp(loadConfig());
  const { config } = app;
  const runsApi = options.role === 'all' || options.role === 'api';
  const runsWorker = options.role === 'all' || options.role === 'worker';
  // `all` listens for mail only when SMTP_LISTENER_PORT is set: a laptop's `npm start` takes no port it was not asked to.
  const runsSmtp = options.role === 'smtp' || (options.role === 'all' && config.smtpListener.withRoleAll);
  if (options.demo) printDemo(await loadDemo(app.chatter));
  if (runsApi && app.database.engine === 'pglite' && (await listApiKeys(app.database.db)).length === 0) {
    // A first start on a laptop: hand out a key so the README's calls work right away.
    const { key } = await createApiKey(app.database.db, 'first start');
    console.log(`First start: created an API key (shown once, keep it): ${key}`);
  }
  // A first start (no administrator yet) creates one, so that the web UI opens at once.
  const administrator = runsApi ? await ensureAdministrator(app.chatter) : null;
  const stopStatistics = keepStatisticsFresh(app.database, app.log);
  const worker = runsWorker ? await startOutboxWorker(app.mail, app.database) : null;
  const fetcher = runsWorker ? startInboundFetcher(app.mail) : null;
  const recovery = runsWorker ? startInboundRecovery(app.mail) : null;
  const sweegoSync = runsWorker ? startSweegoLogSync(app.mail) : null;
  const server = runsApi ? await buildHttpServer(app) : null;
  const smtp = runsSmtp ? await startSmtpListener(app.mail, config.smtpListener) : null;
  // Handlers first: a signal during the start-up queries below still stops every part cleanly.
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'stopping');
    stopStatistics();
    recovery?.stop();
    sweegoSync?.stop();
    await smtp?.stop();
    await server?.close();
    await worker?.stop();
    await fetcher?.stop();
    await app.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  console.log(`Facteur is running (${options.role === 'all' ? `API${smtp ? ', SMTP listener' : ''} and outbox worker` : options.role}) — database: ${describeDatabase(config)}`);
  if (server) {
    const address = await server.listen({ host: config.host, port: config.port });
    console.log(`  Web UI:   ${address}/`);
    if (administrator) {
      console.log(`            first start: log in as "${administrator.login}" with the password ${administrator.password} (shown once; change it in the UI, or \`facteur user password ${administrator.login}\`)`);
    }
    console.log(`  API:      ${address}/api`);
    console.log(`  API docs: ${address}/api/docs (OpenAPI: ${address}/api/openapi.json)`);
  }
  if (smtp) console.log(`  SMTP:     listening on ${smtp.host.includes(':') ? `[${smtp.host}]` : smtp.host}:${smtp.port} for mail to the alias domains`);
  if (worker && (await activeServersForSending(app.mail)).length === 0) {
    console.log('  Email:    no outgoing server configured: emails go to the built-in catcher (Catcher in the web UI, GET /api/catcher)');
  }
  const incoming = fetcher ? await listIncomingServers(app.mail, SYSTEM, { activeOnly: true }) : [];
  if (incoming.length > 0) console.log(`  Inbound:  fetching ${incoming.map((s) => `${s.username}@${s.host}`).join(', ')} (IMAP) every few minutes, at once where IDLE is offered`);
}

function role(value: string): Role {
  if (value !== 'all' && value !== 'api' && value !== 'worker' && value !== 'smtp') throw new InvalidArgumentError('must be all, api, worker or smtp');
  return value;
}

const program = new Command()
  .name('facteur')
  .description('The messaging core of business applications: threads, followers, notifications, email.')
  .showHelpAfterError();

program
  .command('start')
  .description('Run Facteur: the HTTP API and the outbox worker, in one process or one role per process')
  .option('--role <role>', 'all, api (HTTP API), worker (sends the outbox) or smtp (receives mail); run as many workers as you like on PostgreSQL', role, 'all')
  .option('--demo', 'load the seed 000 §12 example first (once)')
  .action(start);

program
  .command('migrate')
  .description('Bring the database schema up to date (start does it too)')
  .action(() => withApp(async (app) => console.log(`Database up to date (${describeDatabase(app.config)}).`)));

program
  .command('demo')
  .description('Load the example of seed 000 §12 (a quotation, its team and four followers)')
  .action(() => withApp(async (app) => printDemo(await loadDemo(app.chatter))));

const apikey = program.command('apikey').description('API keys of host applications');
apikey
  .command('create')
  .description('Create an API key; it is printed once')
  .option('--name <name>', 'what the key is for', 'host application')
  .action((options: { name: string }) =>
    withApp(async (app) => {
      const { id, key } = await createApiKey(app.database.db, options.name);
      console.log(`API key ${id} "${options.name}" created. It is shown only now:\n${key}`);
    }),
  );
apikey
  .command('list')
  .description('List API keys (never their secret)')
  .action(() =>
    withApp(async (app) => {
      for (const k of await listApiKeys(app.database.db)) {
        console.log(`${k.id}\tfct_${k.prefix}_…\t${k.name}\t${k.revokedAt ? 'revoked' : `last used ${k.lastUsedAt?.toISOString() ?? 'never'}`}`);
      }
    }),
  );
apikey
  .command('revoke <id>')
  .description('Revoke an API key')
  .action((id: string) =>
    withApp(async (app) => {
      if (!(await revokeApiKey(app.database.db, positiveInteger(id)))) {
        console.error(`No active API key has id ${id}.`);
        process.exitCode = 1;
        return;
      }
      console.log(`API key ${id} revoked.`);
    }),
  );

registerServerCommands(program);
registerQueueCommands(program);
registerIncomingCommands(program);
registerInboundCommands(program);
registerSweegoCommands(program);
registerUserCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof ConfigError || error instanceof DataDirInUseError || error instanceof InvalidArgumentError || error instanceof FacteurError) {
    console.error(error.message);
  } else {
    console.error(error);
  }
  process.exit(1);
}
