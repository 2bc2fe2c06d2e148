// graphql-transport-ws spoken by hand, to see exactly what the server sends for each operation id
// and whether (and how) it closes the socket.
import WebSocket from 'ws';
import { eventually } from './client.js';

export interface WsMessage { type: string; id?: string; payload?: any }

export interface RawSocket {
  ws: WebSocket;
  received: WsMessage[];
  /** the close code and reason, once the socket closed */
  closed(): { code: number; reason: string } | undefined;
  subscribe(id: string, query: string, variables?: Record<string, unknown>, operationName?: string): void;
  /** the messages received for one operation id */
  of(id: string): WsMessage[];
  /** resolves with the messages of an id once it got `error` or `complete` (or the socket closed) */
  settled(id: string, timeoutMs?: number): Promise<WsMessage[]>;
  close(): void;
}

export async function rawSocket(wsUrl: string, token: string): Promise<RawSocket> {
  const ws = new WebSocket(wsUrl, 'graphql-transport-ws');
  const received: WsMessage[] = [];
  let closed: { code: number; reason: string } | undefined;
  ws.on('message', (data) => received.push(JSON.parse(String(data)) as WsMessage));
  ws.on('close', (code, reason) => { closed = { code, reason: String(reason) }; });
  await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
  ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
  await eventually(() => received.some((m) => m.type === 'connection_ack') || closed, 5000);
  if (closed) throw new Error(`the socket closed before connection_ack: ${JSON.stringify(closed)}`);
  const of = (id: string) => received.filter((m) => m.id === id);
  return {
    ws,
    received,
    closed: () => closed,
    subscribe: (id, query, variables, operationName) => ws.send(JSON.stringify({ id, type: 'subscribe', payload: { query, variables, operationName } })),
    of,
    async settled(id, timeoutMs = 5000) {
      await eventually(() => closed || of(id).some((m) => m.type === 'error' || m.type === 'complete'), timeoutMs);
      return of(id);
    },
    close: () => ws.close(1000),
  };
}
