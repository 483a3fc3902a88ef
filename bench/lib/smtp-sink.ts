// A local SMTP server that accepts every message and throws it away, for the `outbound` benchmark.
// It runs in a process of its own (bench/lib/sink.ts forks it), so that receiving mail never competes
// with the sender for the same JavaScript thread. It counts messages and bytes, so the benchmark can
// check that every email arrived once and that both senders sent messages of the same size.
//
// Protocol over the IPC channel: the child sends { ready: port } once listening; the parent sends
// { get: 'stats' } and gets back { messages, bytes, connections }.
import { SMTPServer } from 'smtp-server';

let messages = 0;
let bytes = 0;
let connections = 0;

const server = new SMTPServer({
  disabledCommands: ['AUTH', 'STARTTLS'],
  authOptional: true,
  logger: false,
  // dns.reverse of 127.0.0.1 can take up to smtp-server's 1.5 s timeout where no resolver answers;
  // nodemailer's pool reconnects every 100 messages (maxMessages), so that would be paid over and over.
  disableReverseLookup: true,
  onConnect(_session, callback) {
    connections++;
    callback();
  },
  onData(stream, _session, callback) {
    stream.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
    });
    stream.on('end', () => {
      messages++;
      callback();
    });
  },
});

server.on('error', (error) => {
  console.error('smtp sink:', error);
});

server.listen(0, '127.0.0.1', () => {
  const address = server.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  process.send?.({ ready: port });
});

process.on('message', (message: { get?: string }) => {
  if (message.get === 'stats') process.send?.({ messages, bytes, connections });
});

// The parent going away (its IPC channel closing) ends the sink: it never outlives the benchmark.
process.on('disconnect', () => {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 1000).unref();
});
