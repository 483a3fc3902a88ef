// `facteur sweego …`: the Sweego settings (seed 001 §4.1) and "sync now" of its delivery logs (§6),
// acting as the host application.
import type { Command } from 'commander';
import { SYSTEM } from '../chatter/actor.ts';
import { syncSweegoNow, type SyncReport } from '../sweego/log-sync.ts';
import { getSweegoSettings, updateSweegoSettings, type SweegoSettingsView } from '../sweego/settings.ts';
import { withApp } from './context.ts';

function describe(settings: SweegoSettingsView): string {
  return [`API key:     ${settings.hasApiKey ? 'set' : 'not set'}`, `client UUID: ${settings.clientUuid ?? 'not set'}`, `API URL:     ${settings.apiUrl}`].join('\n');
}

async function firstLineOfStdin(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) text += String(chunk);
  return text.split(/\r?\n/)[0] ?? '';
}

function counts(report: SyncReport): string {
  return `${report.pages} page(s), ${report.records} log records, ${report.matched} about waiting emails, ${report.applied} applied (of ${report.pending} waiting)`;
}

export function registerSweegoCommands(program: Command): void {
  const sweego = program.command('sweego').description('Sweego: settings shared by its features, and the delivery-log sync');

  sweego
    .command('settings')
    .description('Show the Sweego settings; with options, change them first (the API key is never shown)')
    .option('--api-key-stdin', 'read the API key from the first line of standard input (an empty line removes it)')
    .option('--client-uuid <uuid>', "the account UUID from Sweego's dashboard (empty removes it)")
    .option('--api-url <url>', 'the API base URL (default https://api.sweego.io; empty restores it)')
    .action((options: { apiKeyStdin?: boolean; clientUuid?: string; apiUrl?: string }) =>
      withApp(async (app) => {
        const changes = {
          ...(options.apiKeyStdin ? { apiKey: await firstLineOfStdin() } : {}),
          ...(options.clientUuid !== undefined ? { clientUuid: options.clientUuid } : {}),
          ...(options.apiUrl !== undefined ? { apiUrl: options.apiUrl } : {}),
        };
        const settings = Object.keys(changes).length > 0 ? await updateSweegoSettings(app.mail, SYSTEM, changes) : await getSweegoSettings(app.mail, SYSTEM);
        console.log(describe(settings));
      }),
    );

  sweego
    .command('sync')
    .description("Sync Sweego's delivery logs now: confirm or mark undelivered the emails whose webhook never came")
    .action(() =>
      withApp(async (app) => {
        const report = await syncSweegoNow(app.mail, SYSTEM, (r) => {
          const line = `Sweego log sync: ${counts(r)}`;
          if (process.stderr.isTTY) process.stderr.write(`\r${line}`);
          else process.stderr.write(`${line}\n`);
        });
        if (process.stderr.isTTY && report.pages > 0) process.stderr.write('\n');
        console.log(report.pending === 0 ? 'No email is waiting for Sweego to confirm it: nothing to sync.' : counts(report));
      }),
    );
}
