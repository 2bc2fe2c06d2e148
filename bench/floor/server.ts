// The fan-out floor: a plain graphql-ws server (useServer + ws + graphql-js, no hubgraph). Every
// subscriber runs its own execution per event, as graphql-ws does by default.
// POST /emit?n=N publishes N activities. Prints "floor ready at <ws url>" when listening.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import { emit, schema } from './schema.js';

const server = createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://localhost');
  if (req.method === 'POST' && url.pathname === '/emit') {
    const n = Number(url.searchParams.get('n') ?? '1');
    emit(Number.isInteger(n) && n > 0 ? n : 1);
    res.writeHead(204).end();
    return;
  }
  res.writeHead(404).end();
});
const wss = new WebSocketServer({ server, path: '/graphql' });
useServer({ schema }, wss);

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.stdout.write(`floor ready at ws://127.0.0.1:${port}/graphql\n`);
});

process.on('SIGTERM', () => {
  for (const c of wss.clients) c.terminate();
  wss.close();
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
