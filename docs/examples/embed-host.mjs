// A host application that shows one record's chatter inside its own page (issue 6 §7).
// Its backend asks Facteur for a short-lived embed token for the logged-in user and this record,
// then puts Facteur's /embed/chatter page in an iframe. The API key never reaches the browser.
//
//   FACTEUR_URL=http://127.0.0.1:8025 FACTEUR_API_KEY=fct_… FACTEUR_USER_ID=2 \
//   MODEL=sale.order RES_ID=23 PORT=8080 node docs/examples/embed-host.mjs
import http from 'node:http';

const facteur = process.env.FACTEUR_URL ?? 'http://127.0.0.1:8025';
const apiKey = process.env.FACTEUR_API_KEY;
const userId = Number(process.env.FACTEUR_USER_ID ?? 1);
const model = process.env.MODEL ?? 'sale.order';
const resId = process.env.RES_ID ?? '23';
if (!apiKey) {
  console.error('Set FACTEUR_API_KEY (create one with `facteur apikey create`).');
  process.exit(1);
}

/** Your backend, for the user it has logged in: a token valid 15 minutes, for this record only. */
async function embedUrl() {
  const response = await fetch(`${facteur}/api/embed-tokens`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ userId, model, resId, ttlSeconds: 900 }),
  });
  if (!response.ok) throw new Error(`Facteur refused the embed token: ${response.status} ${await response.text()}`);
  const { path } = await response.json(); // "/embed/chatter?model=…&resId=…&token=…"
  return `${facteur}${path}`;
}

const server = http.createServer(async (request, response) => {
  if (request.url !== '/') {
    response.writeHead(404).end();
    return;
  }
  try {
    const src = await embedUrl();
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>Quotation ${resId}</title></head>
<body style="font-family: system-ui; margin: 2rem">
  <h1>Quotation ${resId}</h1>
  <p>Your own page, with Facteur's chatter below.</p>
  <iframe title="Chatter" src="${src.replace(/"/g, '&quot;')}" style="width: 100%; height: 640px; border: 1px solid #ddd; border-radius: 8px"></iframe>
</body></html>`);
  } catch (error) {
    response.writeHead(502, { 'content-type': 'text/plain' }).end(String(error));
  }
});

server.listen(Number(process.env.PORT ?? 8080), '127.0.0.1', () => {
  console.log(`Host application on http://127.0.0.1:${server.address().port}/`);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => server.close(() => process.exit(0)));
