// Runs every test/**/*.test.ts with Node's test runner (TypeScript through tsx).
// A list is built here because Node 20's --test does not expand globs itself.
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { buildUi } from './build-ui.mjs';

function testFiles(directory) {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) return testFiles(full);
    return entry.name.endsWith('.test.ts') ? [full] : [];
  });
}

await buildUi(); // the browser tests open the built UI
const only = process.argv.slice(2);
const files = only.length > 0 ? only : testFiles('test').sort();
const engine = process.env.TEST_DATABASE_URL ? 'PostgreSQL' : 'PGlite';
console.log(`Running ${files.length} test files on ${engine}`);
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], { stdio: 'inherit' });
process.exit(result.status ?? 1);
