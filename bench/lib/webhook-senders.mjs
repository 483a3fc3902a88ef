// The provider's side of the `webhooks` benchmark, in a process of its own as Sweego is: posts the
// signed events of a JSON file to the URL from N concurrent senders, then prints
// {"ms": <elapsed>, "failures": <n>} on stdout. Plain JavaScript: node runs it without a loader.
import fs from 'node:fs';

const [file, url, senders] = process.argv.slice(2);
const events = JSON.parse(fs.readFileSync(file, 'utf8'));
let next = 0;
let failures = 0;
const lane = async () => {
  while (next < events.length) {
    const event = events[next++];
    const response = await fetch(url, { method: 'POST', headers: event.headers, body: event.body });
    const body = await response.json();
    if (response.status !== 200 || body.applied !== 1) failures += 1;
  }
};
const start = performance.now();
await Promise.all(Array.from({ length: Number(senders) }, lane));
process.stdout.write(JSON.stringify({ ms: performance.now() - start, failures }));
