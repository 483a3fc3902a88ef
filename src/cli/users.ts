// `facteur user …`: people who log in to the web UI, managed as the host application would. A
// password is read from standard input (never from the command line, where `ps` and shell histories
// would keep it) or generated and printed once.
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { SYSTEM } from '../chatter/actor.ts';
import { createUser, listUsers, updateUser } from '../chatter/users.ts';
import { FacteurError } from '../errors.ts';
import { oneOf } from './arguments.ts';
import { withApp } from './context.ts';

async function firstLineOfStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return text.split(/\r?\n/)[0] ?? '';
}

/** The password to set, and whether Facteur made it up (then it is printed, once). */
async function passwordFrom(options: { passwordStdin?: boolean }): Promise<{ password: string; generated: boolean }> {
  if (!options.passwordStdin) return { password: randomBytes(12).toString('base64url'), generated: true };
  const password = await firstLineOfStdin();
  if (password === '') throw new FacteurError('VALIDATION_FAILED', 'No password came on standard input (its first line is the password).');
  return { password, generated: false };
}

interface CreateOptions {
  login: string;
  name: string;
  email?: string;
  role: 'internal' | 'portal';
  admin?: boolean;
  notification?: 'email' | 'inbox';
  passwordStdin?: boolean;
}

export function registerUserCommands(program: Command): void {
  const user = program.command('user').description('Users of the web UI: create them, list them, set their password');

  user
    .command('create')
    .description('Create a user who can log in to the web UI; without --password-stdin a password is generated and printed once')
    .requiredOption('--login <login>', 'what they type to log in')
    .requiredOption('--name <name>', 'their name, as followers and messages show it')
    .option('--email <email>', 'their email address (notifications by email go there)')
    .option('--role <role>', 'internal (staff) or portal (a customer)', oneOf(['internal', 'portal'] as const), 'internal')
    .option('--admin', 'may administer Facteur in the web UI')
    .option('--notification <channel>', 'internal users: email or inbox', oneOf(['email', 'inbox'] as const))
    .option('--password-stdin', 'read the password from the first line of standard input')
    .action((options: CreateOptions) =>
      withApp(async (app) => {
        const { password, generated } = await passwordFrom(options);
        const created = await createUser(app.chatter, SYSTEM, {
          login: options.login,
          role: options.role,
          notification: options.notification,
          isAdmin: options.admin ?? false,
          password,
          partner: { name: options.name, email: options.email ?? null },
        });
        console.log(`User ${created.id} "${created.login}" created (${created.role}${created.isAdmin ? ', administrator' : ''}).`);
        if (generated) console.log(`Password (shown only now): ${password}`);
      }),
    );

  user
    .command('password <login>')
    .description('Set a new password (their sessions end); without --password-stdin one is generated and printed once')
    .option('--password-stdin', 'read the password from the first line of standard input')
    .action((login: string, options: { passwordStdin?: boolean }) =>
      withApp(async (app) => {
        const found = (await listUsers(app.chatter, SYSTEM)).find((u) => u.login === login);
        if (!found) throw new FacteurError('USER_NOT_FOUND', `No user has the login "${login}" (see \`facteur user list\`).`, { login });
        const { password, generated } = await passwordFrom(options);
        await updateUser(app.chatter, SYSTEM, found.id, { password });
        console.log(`Password of "${login}" changed; their open sessions have ended.`);
        if (generated) console.log(`New password (shown only now): ${password}`);
      }),
    );

  user
    .command('list')
    .description('List users: id, login, role, administrator, can log in, name and email')
    .action(() =>
      withApp(async (app) => {
        for (const u of await listUsers(app.chatter, SYSTEM)) {
          const flags = [u.role, ...(u.isAdmin ? ['admin'] : []), u.hasPassword ? 'can log in' : 'no password'].join(', ');
          console.log(`${u.id}\t${u.login}\t${flags}\t${u.name}${u.email ? ` <${u.email}>` : ''}`);
        }
      }),
    );
}
