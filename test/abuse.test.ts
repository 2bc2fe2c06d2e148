// A public API meets hostile clients: rates counted in Redis across API processes, caps on
// sockets and subscriptions, body size, introspection switched off, and graphql-ws protocol abuse
// answered with the close codes of the protocol. Small limits so that the test reaches them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { request } from 'node:http';
import { dropPrefix, startHubgraph, stopAll, type Hubgraph } from './support/hubgraph.js';
import { collect, errorCode, eventually, gql, openSession, verb, wsClient } from './support/client.js';
import { rawSocket } from './support/raw-ws.js';
import { clientIp } from '../src/api/guards.js';

const LIMITS = {
  HUBGRAPH_RATE_LIMIT: '5/60',
  HUBGRAPH_SESSION_RATE: '100/60',
  HUBGRAPH_MAX_SUBSCRIPTIONS: '2',
  HUBGRAPH_MAX_SOCKETS_PER_IP: '3',
  HUBGRAPH_MAX_BODY: '4096',
  HUBGRAPH_INTROSPECTION: '0',
};
let hub: Hubgraph;
let api2: Hubgraph;

beforeAll(async () => {
  hub = await startHubgraph({ env: LIMITS });
  api2 = await startHubgraph({ role: 'api', prefix: hub.prefix, secret: hub.secret, env: LIMITS });
});
afterAll(async () => {
  await stopAll();
  await dropPrefix(hub.prefix);
});

const echo = (url: string, token: string) => gql(url, verb('fetch', 'id'), { input: { platform: 'dummy', actor: { id: 'x', type: 'person' }, object: { type: 'echo' } } }, token);

function post(url: string, body: string | Buffer, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d) => (text += d)).on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function opened(url: string, headers: Record<string, string> = {}): Promise<{ ws?: WebSocket; status?: number }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, 'graphql-transport-ws', { headers });
    ws.once('open', () => resolve({ ws }));
    ws.once('unexpected-response', (_req, res) => resolve({ status: res.statusCode }));
    ws.once('error', () => resolve({}));
  });
}

const closeOf = (ws: WebSocket, timeoutMs = 6000) =>
  new Promise<{ code: number; reason: string }>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('the socket stayed open')), timeoutMs);
    ws.once('close', (code, reason) => { clearTimeout(t); resolve({ code, reason: String(reason) }); });
  });

describe('rate limits and caps', () => {
  it('limits mutations per session, counted across API processes; other sessions are unaffected', async () => {
    const token = await openSession(hub.url);
    for (let i = 0; i < 3; i++) expect((await echo(hub.url, token)).errors).toBeUndefined();
    // the same session on the other API process shares the count
    for (let i = 0; i < 2; i++) expect((await echo(api2.url, token)).errors).toBeUndefined();
    const refused = await echo(api2.url, token);
    expect(errorCode(refused)).toBe('RATE_LIMITED');
    expect(refused.errors?.[0]?.message).toMatch(/more than 5 mutations in 60 s; try again in \d+ s/);
    expect(refused.errors?.[0]?.extensions?.details?.retryAfterMs).toBeGreaterThan(0);
    expect(errorCode(await echo(hub.url, token))).toBe('RATE_LIMITED');
    const other = await openSession(hub.url);
    expect((await echo(hub.url, other)).errors).toBeUndefined();
    const metrics = await (await fetch(hub.url.replace('/graphql', '/metrics'))).text();
    expect(metrics).toMatch(/hubgraph_rate_limited_total\{limit="mutation"\} [1-9]/);
  });

  it('limits openSession per client address', async () => {
    const own = await startHubgraph({ prefix: `${hub.prefix}-sessions`, env: { ...LIMITS, HUBGRAPH_SESSION_RATE: '8/60' } });
    const results = [];
    for (let i = 0; i < 9; i++) results.push(await gql(own.url, 'mutation { openSession { token } }'));
    await own.stop();
    await dropPrefix(own.prefix);
    const refused = results.filter((r) => errorCode(r) === 'RATE_LIMITED');
    expect(refused.length).toBeGreaterThan(0);
    expect(refused[0]?.errors?.[0]?.message).toMatch(/sessions were opened from this address/);
  });

  it('counts openSession by X-Forwarded-For only when the peer is a trusted proxy', async () => {
    const opens = async (url: string, forwardedFor: string) => {
      const codes: string[] = [];
      for (let i = 0; i < 3; i++) {
        const r = JSON.parse((await post(url, JSON.stringify({ query: 'mutation { openSession { token } }' }), { 'x-forwarded-for': forwardedFor })).body);
        codes.push(r.errors?.[0]?.extensions?.code ?? 'ok');
      }
      return codes;
    };
    // behind a trusted proxy (this test's loopback): each forwarded client has its own two
    const behind = await startHubgraph({ prefix: `${hub.prefix}-proxied`, env: { ...LIMITS, HUBGRAPH_SESSION_RATE: '2/60', HUBGRAPH_TRUST_PROXY: 'loopback' } });
    // no proxy trusted (the default): the header is ignored, and everybody here is 127.0.0.1
    const direct = await startHubgraph({ prefix: `${hub.prefix}-direct`, env: { ...LIMITS, HUBGRAPH_SESSION_RATE: '2/60' } });
    try {
      expect(await opens(behind.url, '203.0.113.5')).toEqual(['ok', 'ok', 'RATE_LIMITED']);
      expect(await opens(behind.url, '198.51.100.7')).toEqual(['ok', 'ok', 'RATE_LIMITED']);
      // a client cannot pick its address by adding hops: the nearest untrusted one counts
      expect(await opens(behind.url, '192.0.2.1, 203.0.113.5')).toEqual(['RATE_LIMITED', 'RATE_LIMITED', 'RATE_LIMITED']);
      expect(await opens(direct.url, '203.0.113.5')).toEqual(['ok', 'ok', 'RATE_LIMITED']);
      expect(await opens(direct.url, '198.51.100.7')).toEqual(['RATE_LIMITED', 'RATE_LIMITED', 'RATE_LIMITED']);
    } finally {
      await behind.stop();
      await direct.stop();
      await dropPrefix(behind.prefix);
      await dropPrefix(direct.prefix);
    }
  });

  it('counts WebSockets by X-Forwarded-For behind a trusted proxy', async () => {
    const behind = await startHubgraph({ prefix: `${hub.prefix}-proxied-ws`, env: { ...LIMITS, HUBGRAPH_MAX_SOCKETS_PER_IP: '1', HUBGRAPH_TRUST_PROXY: '127.0.0.1' } });
    const open: WebSocket[] = [];
    try {
      const a = await opened(behind.wsUrl, { 'x-forwarded-for': '203.0.113.5' });
      expect(a.ws).toBeDefined();
      open.push(a.ws!);
      expect((await opened(behind.wsUrl, { 'x-forwarded-for': '203.0.113.5' })).status).toBe(429);
      const b = await opened(behind.wsUrl, { 'x-forwarded-for': '198.51.100.7' });
      expect(b.ws).toBeDefined();
      open.push(b.ws!);
    } finally {
      for (const ws of open) ws.terminate();
      await behind.stop();
      await dropPrefix(behind.prefix);
    }
  });

  it('refuses a HUBGRAPH_TRUST_PROXY it cannot read, at start-up', async () => {
    await expect(startHubgraph({ env: { HUBGRAPH_TRUST_PROXY: '10.0.0.0/99' } })).rejects.toThrow(/trust proxy/);
  });

  it('caps subscriptions per socket: the next one is refused, the socket stays open, and a freed slot can be used', async () => {
    const token = await openSession(hub.url);
    const s = await rawSocket(hub.wsUrl, token);
    try {
      s.subscribe('a', 'subscription { activities { type } }');
      s.subscribe('b', 'subscription { activities { type } }');
      s.subscribe('c', 'subscription { activities { type } }');
      const [c] = await s.settled('c');
      expect(c?.type).toBe('error');
      expect(c?.payload?.[0]?.extensions?.code).toBe('RATE_LIMITED');
      expect(s.closed()).toBeUndefined();
      s.ws.send(JSON.stringify({ id: 'a', type: 'complete' }));
      await new Promise((r) => setTimeout(r, 200));
      s.subscribe('d', 'subscription { activities { type } }');
      await new Promise((r) => setTimeout(r, 300));
      expect(s.of('d').filter((m) => m.type === 'error')).toHaveLength(0);
    } finally {
      s.close();
    }
  });

  it('caps subscriptions over SSE per session too; an ended one frees its place', async () => {
    const token = await openSession(hub.url);
    const open = () => {
      const abort = new AbortController();
      const res = fetch(hub.url, {
        method: 'POST',
        signal: abort.signal,
        headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${token}` },
        body: JSON.stringify({ query: 'subscription { activities { type } }' }),
      });
      return { res, abort };
    };
    const first = open();
    const second = open();
    await Promise.all([first.res, second.res]);
    await new Promise((r) => setTimeout(r, 200));
    const third = open();
    const text = await (await third.res).text();
    expect(text).toContain('RATE_LIMITED');
    first.abort.abort();
    await new Promise((r) => setTimeout(r, 300));
    const fourth = open();
    const reader = (await fourth.res).body!.getReader();
    const chunk = await Promise.race([reader.read().then((r) => new TextDecoder().decode(r.value)), new Promise<string>((r) => setTimeout(() => r(''), 500))]);
    expect(chunk).not.toContain('RATE_LIMITED');
    second.abort.abort();
    fourth.abort.abort();
  });

  it('caps WebSockets per client address with HTTP 429; a closed one frees its place', async () => {
    const open: WebSocket[] = [];
    try {
      for (let i = 0; i < 3; i++) {
        const r = await opened(api2.wsUrl);
        expect(r.ws).toBeDefined();
        open.push(r.ws!);
      }
      expect((await opened(api2.wsUrl)).status).toBe(429);
      const first = open.shift()!;
      const gone = closeOf(first);
      first.close();
      await gone;
      const again = await eventually(async () => {
        const r = await opened(api2.wsUrl);
        if (!r.ws) throw new Error(`refused: ${r.status}`);
        return r.ws;
      }, 3000, 100);
      open.push(again);
    } finally {
      for (const ws of open) ws.terminate();
    }
  });

  it('refuses an HTTP body over the cap with 413, declared or chunked, and a WebSocket message over it with 1009', async () => {
    const big = JSON.stringify({ query: `{ __typename }`, variables: { pad: 'x'.repeat(5000) } });
    const declared = await post(hub.url, big, { 'content-length': String(Buffer.byteLength(big)) });
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.body).errors[0].extensions.limit).toBe('body');
    const chunked = await post(hub.url, big, { 'transfer-encoding': 'chunked' }).catch((err: Error) => ({ status: 0, body: err.message }));
    expect([413, 0]).toContain(chunked.status);
    // the server is fine afterwards, and a chunked body under the cap is read as usual
    expect((await gql(hub.url, '{ __typename }')).errors).toBeUndefined();
    const small = JSON.stringify({ query: '{ __typename }' });
    const chunkedOk = await post(hub.url, small, { 'transfer-encoding': 'chunked' });
    expect(chunkedOk.status).toBe(200);
    expect(JSON.parse(chunkedOk.body).data).toEqual({ __typename: 'Query' });
    const token = await openSession(hub.url);
    const s = await rawSocket(hub.wsUrl, token);
    s.ws.send(JSON.stringify({ id: 'big', type: 'subscribe', payload: { query: '{ __typename }', variables: { pad: 'x'.repeat(5000) } } }));
    await eventually(() => s.closed(), 5000, 20);
    expect(s.closed()?.code).toBe(1009);
  });

  it('keys an IPv6 client by its /64 (one host may hold them all) and an IPv4-mapped one as IPv4', () => {
    const from = (address: string) => clientIp({ socket: { remoteAddress: address } } as never);
    expect(from('2001:db8:1:2:3:4:5:6')).toBe(from('2001:db8:1:2:ffff::1'));
    expect(from('2001:db8:1:3::1')).not.toBe(from('2001:db8:1:2::1'));
    expect(from('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(from('127.0.0.1')).toBe('127.0.0.1');
  });

  it('can switch introspection off; ordinary queries still work', async () => {
    const r = await gql(hub.url, '{ __schema { queryType { name } } }');
    expect(r.errors?.[0]?.message).toMatch(/introspection/i);
    expect((await gql(hub.url, '{ __typename }')).data).toEqual({ __typename: 'Query' });
  });
});

describe('graphql-ws protocol abuse gets the protocol\'s close codes', () => {
  const socket = async () => {
    const r = await opened(hub.wsUrl);
    if (!r.ws) throw new Error(`no socket: ${r.status}`);
    return r.ws;
  };

  it('4408 when connection_init never comes', async () => {
    const ws = await socket();
    expect((await closeOf(ws, 6000)).code).toBe(4408);
  });

  it('4429 for a second connection_init', async () => {
    const token = await openSession(hub.url);
    const ws = await socket();
    const closed = closeOf(ws);
    ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
    ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
    expect((await closed).code).toBe(4429);
  });

  it('4401 for a subscribe before the connection is acknowledged', async () => {
    const ws = await socket();
    const closed = closeOf(ws);
    ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: '{ __typename }' } }));
    expect((await closed).code).toBe(4401);
  });

  it('4409 for a second subscribe with an id in use', async () => {
    const token = await openSession(hub.url);
    const s = await rawSocket(hub.wsUrl, token);
    s.subscribe('dup', 'subscription { activities { type } }');
    s.subscribe('dup', 'subscription { activities { type } }');
    await eventually(() => s.closed(), 5000, 20);
    expect(s.closed()?.code).toBe(4409);
  });

  it('4400 for garbage frames and unknown message types', async () => {
    for (const frame of ['not json at all', '{"type":"what"}', '[1,2,3]', '{"type":"subscribe","id":5}']) {
      const ws = await socket();
      const closed = closeOf(ws);
      if (frame.includes('subscribe')) {
        const token = await openSession(hub.url);
        ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
        await new Promise((r) => setTimeout(r, 100));
      }
      ws.send(frame);
      expect((await closed).code, frame).toBe(4400);
    }
    // and the server still serves
    const token = await openSession(hub.url);
    const c = wsClient(hub.wsUrl, token);
    const feed = collect(c, '{ __typename }');
    await feed.waitFor(1);
    await c.dispose();
  });
});
