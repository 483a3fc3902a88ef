// The provider's side of the `webhooks` benchmark, in a process of its own as Sweego is: posts the
// signed events of a JSON file to the URL from N concurrent senders (node:http with keep-alive:
// lighter than fetch, so that the provider's side takes less of the machine the server shares), then
// prints {"ms", "failures", "cpuMs"} on stdout. Plain JavaScript: node runs it without a loader.
import fs from 'node:fs';
import http from 'node:http';

const [file, url, senders] = process.argv.slice(2);
const events = JSON.parse(fs.readFileSync(file, 'utf8'));
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(senders) });
const target = new URL(url);

function post(event) {
  return new Promise((resolve, reject) => {
    const body = Buffer.from(event.body);
    const request = http.request(
      { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers: { ...event.headers, 'content-length': body.length } },
      (response) => {
        const chunks = [];
        response.on('data', (chunk) => chunks.push(chunk));
        response.on('end', () => resolve({ status: response.statusCode, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

let next = 0;
let failures = 0;
const lane = async () => {
  while (next < events.length) {
    const { status, body } = await post(events[next++]);
    if (status !== 200 || body.applied !== 1) failures += 1;
  }
};
const start = performance.now();
const before = process.cpuUsage();
await Promise.all(Array.from({ length: Number(senders) }, lane));
const cpu = process.cpuUsage(before);
agent.destroy();
process.stdout.write(JSON.stringify({ ms: performance.now() - start, failures, cpuMs: (cpu.user + cpu.system) / 1000 }));
