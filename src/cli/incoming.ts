// `facteur incoming …` and `facteur fetch`: incoming servers (seed 000 §3.2) from the command line,
// acting as the host application. Each command validates its input, calls one operation and prints
// the result.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { SYSTEM } from '../chatter/actor.ts';
import { fetchAllActiveNow, fetchServerNow, type FetchReport, type ServerFetchReport } from '../inbound/imap-fetch.ts';
import { createIncomingServer, deleteIncomingServer, getIncomingServer, listIncomingServers, testIncomingServer, type IncomingServerView } from '../inbound/incoming-servers.ts';
import { withApp } from './context.ts';

function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number <= 0) throw new InvalidArgumentError('must be a positive whole number');
  return number;
}

function port(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > 65535) throw new InvalidArgumentError('must be a port number from 1 to 65535');
  return number;
}

function describe(server: IncomingServerView): string {
  const last = server.lastFetchAt ? `last fetch ${server.lastFetchAt.toISOString()}${server.lastError ? ` failed: ${server.lastError}` : ''}` : 'never fetched';
  return [
    server.id,
    server.name,
    `${server.username}@${server.host}:${server.port} ${server.security}`,
    `folder ${server.folder}, every ${server.intervalMinutes} min${server.active ? '' : ', inactive'}`,
    last,
  ].join('\t');
}

function counts(report: FetchReport): string {
  return `${report.stored} stored, ${report.duplicates} already stored, ${report.failed} failed (of ${report.unseen} unseen)`;
}

/** One line that counts up in a terminal; a line per message otherwise (logs, CI). */
function progress(serverId: number, report: FetchReport): void {
  const line = `server ${serverId}: ${counts(report)}`;
  if (process.stderr.isTTY) process.stderr.write(`\r${line}`);
  else console.error(line);
}

interface AddOptions {
  name: string;
  host: string;
  port?: number;
  security: 'none' | 'starttls' | 'tls';
  username: string;
  password?: string;
  passwordStdin?: boolean;
  folder?: string;
  interval?: number;
  inactive?: boolean;
}

/** The first line of standard input, so that a password need not appear in the process list or shell history. */
async function passwordFromStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return text.split(/\r?\n/)[0] ?? '';
}

export function registerIncomingCommands(program: Command): void {
  const incoming = program.command('incoming').description('Incoming servers: the IMAP mailboxes Facteur reads for replies, bounces and aliases');

  incoming
    .command('add')
    .description('Add an incoming server')
    .requiredOption('--name <name>', 'what people call it, e.g. "Replies"')
    .requiredOption('--host <host>', 'IMAP host name or IP address, e.g. imap.example.com')
    .option('--port <port>', 'default 993 (tls), 143 (starttls, none)', port)
    .addOption(new Option('--security <security>', 'tls, starttls or none').choices(['none', 'starttls', 'tls']).default('tls'))
    .requiredOption('--username <login>', 'login of the mailbox account')
    .option('--password <password>', 'its password (stored encrypted); prefer --password-stdin')
    .option('--password-stdin', 'read the password from the first line of standard input')
    .option('--folder <folder>', 'the folder to read (default INBOX)')
    .option('--interval <minutes>', 'how often to read it (default 5)', positiveInteger)
    .option('--inactive', 'add it switched off')
    .action((options: AddOptions) =>
      withApp(async (app) => {
        const password = options.passwordStdin ? await passwordFromStdin() : options.password;
        const created = await createIncomingServer(app.mail, SYSTEM, {
          name: options.name,
          host: options.host,
          port: options.port,
          security: options.security,
          username: options.username,
          password,
          folder: options.folder,
          intervalMinutes: options.interval,
          active: options.inactive ? false : undefined,
        });
        console.log(`Incoming server ${created.id} added:\n${describe(created)}`);
      }),
    );

  incoming
    .command('list')
    .description('List incoming servers, with their last fetch (never their password)')
    .action(() =>
      withApp(async (app) => {
        const servers = await listIncomingServers(app.mail, SYSTEM);
        if (servers.length === 0) console.log('No incoming server: add one with `facteur incoming add`.');
        for (const server of servers) console.log(describe(server));
      }),
    );

  incoming
    .command('test')
    .description('Test connection: connect, secure, log in and open the folder, then log out (changes nothing)')
    .argument('<id>', "the server's id (see incoming list)", positiveInteger)
    .action((id: number) =>
      withApp(async (app) => {
        const result = await testIncomingServer(app.mail, SYSTEM, id);
        if (result.ok) {
          console.log('OK');
        } else {
          console.error(`Connection test failed: ${result.reason}`);
          process.exitCode = 1;
        }
      }),
    );

  incoming
    .command('remove')
    .description('Remove an incoming server (the mail it brought stays)')
    .argument('<id>', "the server's id (see incoming list)", positiveInteger)
    .action((id: number) =>
      withApp(async (app) => {
        await deleteIncomingServer(app.mail, SYSTEM, id);
        console.log(`Incoming server ${id} removed.`);
      }),
    );

  program
    .command('fetch')
    .description('Fetch now: store the unseen messages of the incoming servers, then mark them seen')
    .option('--server <id>', 'this server only (default: every active server)', positiveInteger)
    .action((options: { server?: number }) =>
      withApp(async (app) => {
        let reports: ServerFetchReport[];
        if (options.server === undefined) {
          reports = await fetchAllActiveNow(app.mail, SYSTEM, progress);
          if (reports.length === 0) console.log('No active incoming server: add one with `facteur incoming add`.');
        } else {
          const server = await getIncomingServer(app.mail, SYSTEM, options.server);
          const report = await fetchServerNow(app.mail, SYSTEM, server.id, { onProgress: (r) => progress(server.id, r) });
          reports = [{ serverId: server.id, name: server.name, ...report }];
        }
        if (process.stderr.isTTY && reports.length > 0) process.stderr.write('\n');
        for (const report of reports) {
          console.log(`${report.serverId}\t${report.name}\t${counts(report)}${report.error ? `\tfailed: ${report.error}` : ''}`);
        }
        if (reports.some((r) => r.error !== null || r.failed > 0)) process.exitCode = 1;
      }),
    );
}
