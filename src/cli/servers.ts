// `facteur server …`: outgoing servers from the command line (seed 000 §3.1, seed 003), acting as the
// host application. Each command validates its input, calls one operation and prints the result.
import { InvalidArgumentError, Option, type Command } from 'commander';
import { SYSTEM } from '../chatter/actor.ts';
import { createServer, deleteServer, listServers, testServerConnection, type ServerView } from '../mail/servers.ts';
import { withApp } from './context.ts';

function positiveInteger(value: string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number) || number <= 0) throw new InvalidArgumentError('must be a positive whole number');
  return number;
}

function integer(value: string): number {
  const number = Number(value);
  if (!Number.isSafeInteger(number)) throw new InvalidArgumentError('must be a whole number');
  return number;
}

function port(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1 || number > 65535) throw new InvalidArgumentError('must be a port number from 1 to 65535');
  return number;
}

function describe(server: ServerView): string {
  const where = server.kind === 'catcher' ? 'built-in catcher' : `${server.kind === 'sweego' ? 'Sweego ' : ''}${server.host}:${server.port} ${server.security}`;
  const login = server.username ? ` as ${server.username}${server.hasPassword ? ' (password set)' : ''}` : '';
  const filter = server.fromFilter ? ` from ${server.fromFilter}` : ' from anyone';
  const flags = [server.active ? '' : 'inactive', server.deleteAfterDelivery ? 'delete after delivery' : ''].filter(Boolean).join(', ');
  return `${server.id}\t${server.name}\t${where}${login}${filter}\tsequence ${server.sequence}${flags ? `\t${flags}` : ''}`;
}

interface AddOptions {
  name: string;
  kind: 'smtp' | 'catcher' | 'sweego';
  host?: string;
  port?: number;
  security?: 'none' | 'starttls' | 'tls';
  username?: string;
  password?: string;
  passwordStdin?: boolean;
  fromFilter?: string;
  sequence?: number;
  inactive?: boolean;
  deleteAfterDelivery?: boolean;
  outboundWebhookSecret?: string;
  inboundWebhookSecret?: string;
}

/** The first line of standard input, so that a password need not appear in the process list or shell history. */
async function passwordFromStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return text.split(/\r?\n/)[0] ?? '';
}

export function registerServerCommands(program: Command): void {
  const server = program.command('server').description('Outgoing servers: how mail leaves (SMTP or the built-in catcher)');

  server
    .command('add')
    .description('Add an outgoing server')
    .requiredOption('--name <name>', 'what people call it, e.g. "Notifications"')
    .addOption(
      new Option('--kind <kind>', 'smtp, catcher (keeps mail inside Facteur), or sweego (its relay, with webhooks)').choices(['smtp', 'catcher', 'sweego']).default('smtp'),
    )
    .option('--host <host>', 'SMTP host name or IP address, e.g. smtp.example.com (Sweego: smtp.sweego.io)')
    .option('--port <port>', 'default 587 (starttls), 465 (tls), 25 (none); Sweego 2525', port)
    .addOption(new Option('--security <security>', 'starttls (default), tls or none').choices(['none', 'starttls', 'tls']))
    .option('--username <login>', 'login of the SMTP account')
    .option('--password <password>', 'its password (stored encrypted); prefer --password-stdin')
    .option('--password-stdin', 'read the password from the first line of standard input')
    .option('--from-filter <filter>', 'whom it may send as: an address, a domain, or several separated by commas')
    .option('--sequence <n>', 'servers are tried by ascending sequence (default 10)', integer)
    .option('--inactive', 'add it switched off')
    .option('--delete-after-delivery', 'keep sent entries until the provider confirms delivery, then delete them')
    .option('--outbound-webhook-secret <secret>', 'Sweego: the outbound webhook secret, as its dashboard shows it (also signs reply tokens)')
    .option('--inbound-webhook-secret <secret>', 'Sweego: the inbound webhook secret, as its dashboard shows it')
    .action((options: AddOptions) =>
      withApp(async (app) => {
        const password = options.passwordStdin ? await passwordFromStdin() : options.password;
        const created = await createServer(app.mail, SYSTEM, {
          name: options.name,
          kind: options.kind,
          host: options.host,
          port: options.port,
          security: options.security,
          username: options.username,
          password,
          fromFilter: options.fromFilter,
          sequence: options.sequence,
          active: options.inactive ? false : undefined,
          deleteAfterDelivery: options.deleteAfterDelivery,
          outboundWebhookSecret: options.outboundWebhookSecret,
          inboundWebhookSecret: options.inboundWebhookSecret,
        });
        console.log(`Outgoing server ${created.id} added:\n${describe(created)}`);
      }),
    );

  server
    .command('list')
    .description('List outgoing servers in the order they are tried (never their password)')
    .action(() =>
      withApp(async (app) => {
        const servers = await listServers(app.mail, SYSTEM);
        if (servers.length === 0) console.log('No outgoing server: mail goes to the built-in catcher.');
        for (const s of servers) console.log(describe(s));
      }),
    );

  server
    .command('test')
    .description('Test connection: connect, greet, secure and log in, then hang up (sends nothing)')
    .argument('<id>', 'the server\'s id (see server list)', positiveInteger)
    .action((id: number) =>
      withApp(async (app) => {
        const result = await testServerConnection(app.mail, SYSTEM, id);
        if (result.ok) {
          console.log('OK');
        } else {
          console.error(`Connection test failed: ${result.reason}`);
          process.exitCode = 1;
        }
      }),
    );

  server
    .command('remove')
    .description('Remove an outgoing server')
    .argument('<id>', 'the server\'s id (see server list)', positiveInteger)
    .action((id: number) =>
      withApp(async (app) => {
        await deleteServer(app.mail, SYSTEM, id);
        console.log(`Outgoing server ${id} removed.`);
      }),
    );
}
