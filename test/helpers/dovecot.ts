// A real IMAP server for the inbound tests: Dovecot from Debian's packages (`dovecot-imapd`), started
// on 127.0.0.1 and a free port with a throwaway configuration in a temporary directory — plaintext
// login, no TLS, one passwd-file user, maildir, its log in the directory. It runs as root (mail
// processes as `nobody`) and as any other user (everything as that user, no chroot). Messages are
// put in and read back with imapflow, as any IMAP client would.
//
// Every process it starts is in a process group of its own, killed as a whole by stop() and kill(),
// and when the test process ends without stopping it (exit, a signal, even SIGKILL: see SETPRIV).
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { ImapFlow } from 'imapflow';
import { closedPort } from './smtp.ts';

export const DOVECOT_BINARY = '/usr/sbin/dovecot';
/**
 * Even a test process killed outright (SIGKILL) leaves no server behind: setpriv (util-linux) asks
 * the kernel to kill Dovecot's master when its parent dies, and its children follow their master.
 */
const SETPRIV = '/usr/bin/setpriv';

/** The reason to give `skip` when Dovecot is not installed; false when it is. */
export const dovecotMissing: string | false = existsSync(DOVECOT_BINARY) ? false : 'dovecot not installed: apt-get install dovecot-imapd';

export interface MailboxMessage {
  uid: number;
  seen: boolean;
  subject: string | undefined;
}

export interface Dovecot {
  readonly host: '127.0.0.1';
  readonly port: number;
  readonly user: string;
  readonly password: string;
  /** The directory of its configuration, mail and log. */
  readonly dir: string;
  /** Puts a message in INBOX (with flags such as `\Seen`); returns its UID. */
  append(raw: string | Buffer, flags?: string[]): Promise<number>;
  /** The messages in INBOX, by UID. */
  list(): Promise<MailboxMessage[]>;
  /** Dovecot's log so far (for a failing test's message). */
  log(): string;
  /** Kills the server at once (SIGKILL to its whole process group): the connections drop mid-command. The mail stays. */
  kill(): Promise<void>;
  /** Starts the server again, on the same port, with the same mail (after kill()). */
  start(): Promise<void>;
  /** Stops the server and removes its directory: the end of it. */
  stop(): Promise<void>;
}

const USER = 'facteur';
const PASSWORD = 'imap-secret';
const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 10_000;

/** Process groups still running, and directories not yet removed: cleaned up when the test process ends. */
const running = new Set<number>();
const directories = new Set<string>();
const cleanUpAll = () => {
  for (const group of running) killGroup(group, 'SIGKILL');
  for (const dir of directories) rmSync(dir, { recursive: true, force: true });
};
process.on('exit', cleanUpAll);
// A signal ends the process without 'exit': clean up first, then let the signal do what it would have done.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    cleanUpAll();
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  });
}

function killGroup(group: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-group, signal);
  } catch {
    // already gone
  }
}


/**
 * Who the server's processes run as. Dovecot never gives mail to root: as root, the mail processes
 * run as `nobody`; as another user, every process runs as that user.
 */
function runAs(): { user: string; group: string; uid: number; gid: number } {
  if (process.getuid?.() === 0) {
    const id = (flag: string) => execFileSync('id', [flag, 'nobody'], { encoding: 'utf8' }).trim();
    return { user: 'nobody', group: id('-gn'), uid: Number(id('-u')), gid: Number(id('-g')) };
  }
  const me = userInfo();
  const group = execFileSync('id', ['-gn'], { encoding: 'utf8' }).trim();
  return { user: me.username, group, uid: me.uid, gid: me.gid };
}

function configuration(dir: string, port: number, owner: ReturnType<typeof runAs>): string {
  return `# A throwaway Dovecot for Facteur's tests: loopback only, plaintext, one user.
protocols = imap
listen = 127.0.0.1
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login
# A wrong password is refused at once (the default waits 2 s, against guessing).
auth_failure_delay = 0
first_valid_uid = 1
first_valid_gid = 1
default_internal_user = ${owner.user}
default_internal_group = ${owner.group}
default_login_user = ${owner.user}
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/users
}
userdb {
  driver = static
  args = uid=${owner.uid} gid=${owner.gid} home=${dir}/mail/%u
}
mail_location = maildir:~/Maildir
# chroot needs root; these processes need no jail on loopback.
service anvil {
  chroot =
  # Nobody may reach the login penalty: a login right after a refused one is not slowed down (the
  # default guards against guessing; the tests give wrong passwords on purpose).
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
`;
}

function chownTree(target: string, uid: number, gid: number): void {
  chownSync(target, uid, gid);
  if (!statSync(target).isDirectory()) return;
  for (const entry of readdirSync(target)) chownTree(path.join(target, entry), uid, gid);
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Starts a throwaway Dovecot; stop() it in `after`. */
export async function startDovecot(): Promise<Dovecot> {
  if (dovecotMissing) throw new Error(dovecotMissing);
  const dir = mkdtempSync(path.join(tmpdir(), 'facteur-dovecot-'));
  directories.add(dir);
  const port = await closedPort(); // free now; Dovecot binds it next
  const owner = runAs();
  const logPath = path.join(dir, 'dovecot.log');
  const configPath = path.join(dir, 'dovecot.conf');
  for (const sub of ['run', 'state', 'mail']) mkdirSync(path.join(dir, sub));
  writeFileSync(path.join(dir, 'users'), `${USER}:{PLAIN}${PASSWORD}::::::\n`);
  writeFileSync(configPath, configuration(dir, port, owner));

  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  const log = () => (existsSync(logPath) ? readFileSync(logPath, 'utf8') : '(no log)');

  const client = () =>
    new ImapFlow({ host: '127.0.0.1', port, secure: false, doSTARTTLS: false, auth: { user: USER, pass: PASSWORD }, logger: false, disableAutoIdle: true });

  /** Runs work on a logged-in connection, then logs out (or drops the connection if work failed). */
  async function session<T>(work: (imap: ImapFlow) => Promise<T>): Promise<T> {
    const imap = client();
    imap.on('error', () => {});
    await imap.connect();
    try {
      const result = await work(imap);
      await imap.logout();
      return result;
    } finally {
      imap.close();
    }
  }

  async function start(): Promise<void> {
    if (child && child.exitCode === null && child.signalCode === null) throw new Error('Dovecot is already running.');
    // As root, the mail processes (nobody) must reach the directory and write the mail.
    if (process.getuid?.() === 0) chownTree(dir, owner.uid, owner.gid);
    // -F: in the foreground, so that the process is ours to stop; detached: a process group of its own.
    const command = [DOVECOT_BINARY, '-F', '-c', configPath];
    if (existsSync(SETPRIV)) command.unshift(SETPRIV, '--pdeathsig', 'KILL', '--');
    const started = spawn(command[0]!, command.slice(1), { detached: true, stdio: 'ignore' });
    child = started;
    started.once('error', () => {}); // a failed spawn shows as an exit, reported below
    const group = started.pid!;
    running.add(group);
    exited = new Promise<void>((resolve) =>
      started.once('exit', () => {
        // The children of a killed master notice it is gone; the group kill makes sure of it.
        killGroup(group, 'SIGKILL');
        running.delete(group);
        resolve();
      }),
    );
    const deadline = Date.now() + START_TIMEOUT_MS;
    let lastError: unknown;
    while (Date.now() < deadline) {
      if (started.exitCode !== null || started.signalCode !== null) {
        throw new Error(`Dovecot exited at start (${started.exitCode ?? started.signalCode}):\n${log()}`);
      }
      if (await canConnect(port)) {
        // Listening is not ready: the login must go through (the auth process starts on demand).
        try {
          await session(async () => undefined);
          return;
        } catch (error) {
          lastError = error;
        }
      }
      await sleep(50);
    }
    killGroup(group, 'SIGKILL');
    throw new Error(`Dovecot did not accept a login on port ${port} within ${START_TIMEOUT_MS} ms (${String(lastError)}):\n${log()}`);
  }

  async function kill(): Promise<void> {
    if (child?.pid !== undefined) killGroup(child.pid, 'SIGKILL');
    await exited;
  }

  async function stop(): Promise<void> {
    try {
      if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null) {
        killGroup(child.pid, 'SIGTERM');
        const timer = setTimeout(() => killGroup(child!.pid!, 'SIGKILL'), STOP_TIMEOUT_MS);
        await exited;
        clearTimeout(timer);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
      directories.delete(dir);
    }
  }

  try {
    await start();
  } catch (error) {
    await stop();
    throw error;
  }

  return {
    host: '127.0.0.1',
    port,
    user: USER,
    password: PASSWORD,
    dir,
    append: (raw, flags = []) =>
      session(async (imap) => {
        const appended = await imap.append('INBOX', typeof raw === 'string' ? Buffer.from(raw) : raw, flags);
        if (!appended || appended.uid === undefined) throw new Error('Dovecot did not give the appended message a UID.');
        return appended.uid;
      }),
    list: () =>
      session(async (imap) => {
        const mailbox = await imap.mailboxOpen('INBOX', { readOnly: true });
        if (mailbox.exists === 0) return [];
        const messages = await imap.fetchAll('1:*', { uid: true, flags: true, envelope: true });
        return messages
          .map((m) => ({ uid: m.uid, seen: m.flags?.has('\\Seen') ?? false, subject: m.envelope?.subject }))
          .sort((a, b) => a.uid - b.uid);
      }),
    log,
    kill,
    start,
    stop,
  };
}
