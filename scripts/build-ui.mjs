// Builds the web UI (ui/ → dist/ui) with Vite when it is missing or older than its sources.
// Run by `npm install` (postinstall), `npm start` (prestart) and the test runner; `--force` always builds.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const sources = path.join(root, 'ui');
const built = path.join(root, 'dist', 'ui', 'index.html');

function newestIn(directory) {
  return readdirSync(directory, { withFileTypes: true }).reduce((newest, entry) => {
    const full = path.join(directory, entry.name);
    return Math.max(newest, entry.isDirectory() ? newestIn(full) : statSync(full).mtimeMs);
  }, 0);
}

export async function buildUi({ force = false } = {}) {
  if (!existsSync(sources)) return; // an installed package ships dist/ui already built
  if (!force && existsSync(built) && statSync(built).mtimeMs >= newestIn(sources)) return;
  let vite;
  try {
    vite = await import('vite');
  } catch {
    console.error('The web UI cannot be built: Vite is not installed (run `npm install` with dev dependencies).');
    if (!existsSync(built)) process.exitCode = 1;
    return;
  }
  const started = Date.now();
  process.stdout.write('Building the web UI… ');
  await vite.build({ configFile: path.join(sources, 'vite.config.ts'), logLevel: 'warn' });
  console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)} s (dist/ui)`);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  await buildUi({ force: process.argv.includes('--force') });
}
