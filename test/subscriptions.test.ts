import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import WebSocket from 'ws';
import { dropPrefix, redisClient, REDIS_URL, startHubgraph, stopAll, uniquePrefix, type Hubgraph } from './support/hubgraph.js';
import { collect, eventually, gql, ok, openSession, sleep, verb, wsClient } from './support/client.js';
import { EventHub } from '../src/events/hub.js';
import { SocketSubscriber, SLOW_CONSUMER_CODE, type Subscriber } from '../src/events/subscriber.js';
import type { ActivitySource } from '../src/events/stream-entry.js';
import { eventAad } from '../src/events/publisher.js';
import { seal } from '../src/crypto/keys.js';
import { Keys } from '../src/redis/keys.js';
import { createRedis } from '../src/redis/connection.js';
import { createLogger } from '../src/log.js';
import { subscriptions } from '../src/metrics.js';
import type { SessionStore } from '../src/session/store.js';

const SUB = 'subscription($platform: String, $actor: String, $since: String) { activities(platform: $platform, actor: $actor, since: $since) { id type cursor platform actor { id } target { id } object { type content json } } }';

// HUBGRAPH_SUBSCRIBER_BUFFER is checked before every frame, and the frames of one tick are
// corked, so a burst counts whole until the kernel takes it. A fair limit is above the largest
// burst a client that keeps reading can get in one tick (it cannot read in the middle of one: cut
// off there, it would pay for the server's batching, not for its own pace), and far below what a
// client that stopped reading piles up. Here the largest burst is 300 frames of ~350 bytes
// (~105 KB: the 300-activity send, or its replay); 256 KiB holds it even if the kernel took none
// of it, and the slow-consumer test's ~30 MB still trips it, with at most 256 KiB and a frame
// queued on the server.
let hub: Hubgraph;
beforeAll(async () => { hub = await startHubgraph({ env: { HUBGRAPH_SUBSCRIBER_BUFFER: String(256 * 1024) } }); });
afterAll(async () => { await stopAll(); await dropPrefix(hub.prefix); });

async function connectedSession(actorId: string, creds: Record<string, unknown> = { name: actorId }): Promise<string> {
  const token = await openSession(hub.url);
  await ok(hub.url, 'mutation($a: String!, $c: JSON!) { setCredentials(platform: "dummy", actor: $a, credentials: $c) }', { a: actorId, c: creds }, token);
  await ok(hub.url, verb('connect', 'id'), { input: { platform: 'dummy', actor: { id: actorId, type: 'person' } } }, token);
  return token;
}

async function send(token: string, actorId: string, content: string, repeat = 1): Promise<void> {
  await ok(hub.url, verb('send', 'id'), { input: { platform: 'dummy', actor: { id: actorId, type: 'person' }, object: { type: 'message', content, extra: { repeat } } } }, token);
}

const messages = (items: any[]) => items.filter((i) => i.activities.type === 'send').map((i) => i.activities.object.content as string);

const sessionId = async (token: string) => (await ok(hub.url, '{ session { id } }', undefined, token)).session.id as string;

/** The dummy connection's command counter, as the session's `query` sees it. */
const commands = async (token: string, actorId: string): Promise<number> =>
  (await ok(hub.url, verb('query', 'object { json }'), { input: { platform: 'dummy', actor: { id: actorId, type: 'person' }, object: { type: 'attendance' } } }, token)).query.object.json.commands;

/** The hubgraph_subscriptions gauge of the API process. */
async function liveSubscriptions(): Promise<number> {
  const text = await (await fetch(new URL('/metrics', hub.url))).text();
  return Number(/^hubgraph_subscriptions (\d+)/m.exec(text)?.[1]);
}

interface Frame { id?: string; type: string; payload?: any }

/** A graphql-transport-ws socket without a client library: every frame it gets, in order. */
async function rawSocket(token: string) {
  const ws = new WebSocket(hub.wsUrl, 'graphql-transport-ws');
  const frames: Frame[] = [];
  ws.on('message', (d) => frames.push(JSON.parse(d.toString()) as Frame));
  await new Promise<void>((resolve, reject) => { ws.once('open', () => resolve()); ws.once('error', reject); });
  ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
  await eventually(() => frames.some((f) => f.type === 'connection_ack'));
  return {
    frames,
    subscribe: (id: string, query: string, variables?: Record<string, unknown>) => ws.send(JSON.stringify({ id, type: 'subscribe', payload: { query, variables } })),
    of: (id: string) => frames.filter((f) => f.id === id),
    close: () => ws.close(),
  };
}

describe('activities subscription', () => {
  it('closes the socket with 4403 when the token is missing or bad', async () => {
    for (const params of [{}, { authorization: 'Bearer not-a-valid-token-at-all-xxxxx' }]) {
      const ws = new WebSocket(hub.wsUrl, 'graphql-transport-ws');
      const code = await new Promise<number>((resolve) => {
        ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: params })));
        ws.on('close', (c) => resolve(c));
      });
      expect(code).toBe(4403);
    }
  });

  it('receives the activities of its own connections once they exist, and only those', async () => {
    const alice = await openSession(hub.url);
    await ok(hub.url, 'mutation { setCredentials(platform: "dummy", actor: "alice@dummy", credentials: {name: "alice"}) }', undefined, alice);
    const bob = await connectedSession('bob@dummy');
    const aliceWs = wsClient(hub.wsUrl, alice);
    const bobWs = wsClient(hub.wsUrl, bob);
    const aliceSub = collect(aliceWs, SUB);
    const bobSub = collect(bobWs, SUB);
    await sleep(200);
    // subscribed before connect: the connection's activities arrive once it exists
    await ok(hub.url, verb('connect', 'id'), { input: { platform: 'dummy', actor: { id: 'alice@dummy', type: 'person' } } }, alice);
    await send(alice, 'alice@dummy', 'for alice');
    await send(bob, 'bob@dummy', 'for bob', 2);
    await aliceSub.waitFor(2);
    await bobSub.waitFor(2);
    await sleep(300);
    expect(messages(aliceSub.items)).toEqual(['for alice']);
    expect(messages(bobSub.items)).toEqual(['for bob', 'for bob']);
    expect(aliceSub.items[0].activities).toMatchObject({ type: 'update', actor: { id: 'alice@dummy' }, object: { type: 'presence' } });
    // another session cannot drive bob's connection by naming his actor, not even with credentials
    // of her own for that actor: they are not his, so they name another connection, never opened
    const eve = await openSession(hub.url);
    await ok(hub.url, 'mutation { setCredentials(platform: "dummy", actor: "bob@dummy", credentials: {name: "bob", secret: "other"}) }', undefined, eve);
    const r = await gql(hub.url, verb('send', 'id'), { input: { platform: 'dummy', actor: { id: 'bob@dummy', type: 'person' }, object: { type: 'message', content: 'from eve' } } }, eve);
    expect(r.errors?.[0]?.extensions?.code).toBe('PLATFORM_ERROR');
    expect(r.errors?.[0]?.message).toContain('not connected');
    // and bob hears nothing from her (his own next message shows the stream is still flowing)
    await send(bob, 'bob@dummy', 'bob again');
    await bobSub.waitFor(3);
    await sleep(200);
    expect(messages(bobSub.items)).toEqual(['for bob', 'for bob', 'bob again']);
    await aliceWs.dispose();
    await bobWs.dispose();
  });

  it('shares a connection only between sessions with identical credentials', async () => {
    const one = await connectedSession('carol@dummy', { name: 'carol', secret: 's1' });
    const same = await connectedSession('carol@dummy', { name: 'carol', secret: 's1' });
    const other = await connectedSession('carol@dummy', { name: 'carol', secret: 'different' });
    const subs = [one, same, other].map((t) => {
      const c = wsClient(hub.wsUrl, t);
      return { c, s: collect(c, SUB, { platform: 'dummy', actor: 'carol@dummy' }) };
    });
    await sleep(200);
    await send(one, 'carol@dummy', 'shared');
    await subs[0]!.s.waitFor(1);
    await subs[1]!.s.waitFor(1);
    await sleep(300);
    expect(messages(subs[0]!.s.items)).toEqual(['shared']);
    expect(messages(subs[1]!.s.items)).toEqual(['shared']);
    expect(messages(subs[2]!.s.items)).toEqual([]);
    const count = async (t: string) =>
      (await ok(hub.url, verb('query', 'object { json }'), { input: { platform: 'dummy', actor: { id: 'carol@dummy', type: 'person' }, object: { type: 'attendance' } } }, t)).query.object.json.commands;
    expect(await count(same)).toBe(2); // one send + this query, on the shared connection
    expect(await count(other)).toBe(1);
    for (const { c } of subs) await c.dispose();
  });

  it('filters by platform and actor', async () => {
    const token = await connectedSession('f1@dummy');
    await ok(hub.url, 'mutation { setCredentials(platform: "dummy", actor: "f2@dummy", credentials: {name: "f2"}) }', undefined, token);
    await ok(hub.url, verb('connect', 'id'), { input: { platform: 'dummy', actor: { id: 'f2@dummy', type: 'person' } } }, token);
    const c = wsClient(hub.wsUrl, token);
    const onlyF2 = collect(c, SUB, { actor: 'f2@dummy' });
    const otherPlatform = collect(c, SUB, { platform: 'irc' });
    const all = collect(c, SUB);
    await sleep(200);
    await send(token, 'f1@dummy', 'one');
    await send(token, 'f2@dummy', 'two');
    await all.waitFor(2);
    await sleep(200);
    expect(messages(all.items)).toEqual(['one', 'two']);
    expect(messages(onlyF2.items)).toEqual(['two']);
    expect(otherPlatform.items).toEqual([]);
    await c.dispose();
  });

  it('replays from a cursor with no gap and no duplicate, then goes live', async () => {
    const token = await connectedSession('r@dummy');
    const first = wsClient(hub.wsUrl, token);
    const sub1 = collect(first, SUB);
    await sleep(200);
    await send(token, 'r@dummy', 'm', 5);
    const got = await sub1.waitFor(5);
    const cursor = got[1].activities.cursor as string;
    await first.dispose();
    // while nobody listens, more happens
    await send(token, 'r@dummy', 'missed', 3);
    const second = wsClient(hub.wsUrl, token);
    const sub2 = collect(second, SUB, { since: cursor });
    await sub2.waitFor(6);
    // live again once the replay is done (live entries that arrive while a replay runs: see
    // "hands over what arrives during a long replay" below)
    await send(token, 'r@dummy', 'live', 2);
    await sub2.waitFor(8);
    await sleep(300);
    expect(messages(sub2.items)).toEqual(['m', 'm', 'm', 'missed', 'missed', 'missed', 'live', 'live']);
    const cursors = sub2.items.map((i) => i.activities.cursor);
    expect(new Set(cursors).size).toBe(cursors.length);
    expect(cursors).not.toContain(cursor);
    await second.dispose();
  });

  it('replays exactly what follows any cursor, wherever it sits in a burst', async () => {
    const token = await connectedSession('burst@dummy');
    const c = wsClient(hub.wsUrl, token);
    const live = collect(c, SUB);
    await sleep(200);
    await ok(hub.url, verb('send', 'id'), { input: { platform: 'dummy', actor: { id: 'burst@dummy', type: 'person' }, object: { type: 'message', content: 'b', extra: { repeat: 300 } } } }, token);
    const all = (await live.waitFor(300)).map((i) => i.activities);
    for (const k of [0, 1, 57, 150, 298, 299]) {
      const sub = collect(c, SUB, { since: all[k].cursor });
      if (299 - k > 0) await sub.waitFor(299 - k);
      await sleep(100);
      expect(sub.items.map((i) => i.activities.cursor)).toEqual(all.slice(k + 1).map((a) => a.cursor));
      sub.stop();
    }
    await c.dispose();
  });

  it('streams over HTTP too (server-sent events), for clients without WebSocket', async () => {
    const token = await connectedSession('sse@dummy');
    const abort = new AbortController();
    const res = await fetch(hub.url, {
      method: 'POST',
      signal: abort.signal,
      headers: { 'content-type': 'application/json', accept: 'text/event-stream', authorization: `Bearer ${token}` },
      body: JSON.stringify({ query: 'subscription { activities { type object { content } } }' }),
    });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    let text = '';
    await sleep(200);
    await send(token, 'sse@dummy', 'over sse', 2);
    await eventually(async () => {
      const { value } = await reader.read();
      text += new TextDecoder().decode(value);
      return (text.match(/over sse/g) ?? []).length === 2;
    });
    abort.abort();
  });

  it('paces a long replay to a client that reads, instead of cutting it off', async () => {
    const token = await connectedSession('backlog@dummy');
    const first = wsClient(hub.wsUrl, token);
    const probe = collect(first, SUB);
    await sleep(200);
    await send(token, 'backlog@dummy', 'start');
    const cursor = (await probe.waitFor(1))[0].activities.cursor as string;
    await first.dispose();
    // ~16 MB missed while away: far more than this hub's 256 KiB buffer and the kernel's
    await send(token, 'backlog@dummy', 'y'.repeat(4000), 4000);
    await sleep(500);
    // a client that reads, but starts a little late: a replay written all at once would overflow
    const ws = new WebSocket(hub.wsUrl, 'graphql-transport-ws');
    const raw = () => (ws as unknown as { _socket: import('node:net').Socket })._socket;
    let frames = 0;
    let closed: number | undefined;
    ws.on('close', (code) => (closed = code));
    await new Promise<void>((resolve) => ws.on('open', () => resolve()));
    ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
    await new Promise<void>((resolve) => ws.once('message', () => resolve()));
    ws.on('message', (d) => { if (d.toString().startsWith('{"id":"r","type":"next"')) frames++; });
    ws.send(JSON.stringify({ id: 'r', type: 'subscribe', payload: { query: 'subscription($since: String) { activities(since: $since) { cursor object { content } } }', variables: { since: cursor } } }));
    raw().pause();
    await sleep(500);
    raw().resume();
    await eventually(() => frames === 4000 || closed !== undefined, 30_000);
    expect(closed).toBeUndefined();
    expect(frames).toBe(4000);
    ws.close();
  }, 40_000);

  it('rejects a malformed cursor with BAD_USER_INPUT', async () => {
    const token = await openSession(hub.url);
    const c = wsClient(hub.wsUrl, token);
    const s = collect(c, SUB, { since: 'yesterday' });
    await eventually(() => s.errors.length > 0);
    expect(JSON.stringify(s.errors)).toContain('BAD_USER_INPUT');
    await c.dispose();
  });

  it('refuses a cursor whose entry id does not fit in 64 bits, and leaves nothing subscribed behind', async () => {
    const token = await connectedSession('big@dummy');
    const ws = await rawSocket(token);
    ws.subscribe('good', SUB);
    await sleep(200);
    const before = await liveSubscriptions();
    // fits the cursor's pattern, but no stream id has parts that large (XRANGE would refuse it)
    ws.subscribe('bad', SUB, { since: '0-99999999999999999999:0' });
    await eventually(() => ws.of('bad').some((f) => f.type === 'complete' || f.type === 'error'));
    expect(JSON.stringify(ws.of('bad'))).toContain('BAD_USER_INPUT');
    expect(await liveSubscriptions()).toBe(before);
    await send(token, 'big@dummy', 'after', 2);
    await eventually(() => ws.of('good').filter((f) => f.payload?.data?.activities?.type === 'send').length === 2);
    await sleep(200);
    // nothing reaches the refused operation once it is over
    expect(ws.of('bad').filter((f) => f.payload?.data)).toEqual([]);
    ws.close();
  });

  it('renders each operation with its own fragments, even when the operation text is the same', async () => {
    const token = await connectedSession('frag@dummy');
    const c = wsClient(hub.wsUrl, token);
    const op = 'subscription { activities(platform: "dummy") { ...F } }';
    const typed = collect(c, `${op} fragment F on Activity { type object { content } }`);
    const cursors = collect(c, `${op} fragment F on Activity { cursor }`);
    await sleep(200);
    await send(token, 'frag@dummy', 'hi');
    await typed.waitFor(1);
    await cursors.waitFor(1);
    expect(typed.items[0].activities).toEqual({ type: 'send', object: { content: 'hi' } });
    expect(Object.keys(cursors.items[0].activities)).toEqual(['cursor']);
    await c.dispose();
  });

  it('tries again for the next subscriber when reading the end of the stream failed', async () => {
    const token = await connectedSession('wrongtype@dummy');
    const key = `${hub.prefix}:s:${await sessionId(token)}:events`;
    const r = redisClient();
    try {
      // XREVRANGE on a key that is not a stream fails (WRONGTYPE)
      await r.del(key);
      await r.set(key, 'not a stream');
      const c = wsClient(hub.wsUrl, token);
      const failed = collect(c, SUB);
      await eventually(() => failed.errors.length > 0);
      await r.del(key);
      const s = collect(c, SUB);
      await sleep(200);
      await send(token, 'wrongtype@dummy', 'back');
      await s.waitFor(1, 5000);
      expect(messages(s.items)).toEqual(['back']);
      await c.dispose();
    } finally {
      r.disconnect();
    }
  });

  it('keeps the session and its connections when the WebSocket closes', async () => {
    const token = await connectedSession('p@dummy');
    const c1 = wsClient(hub.wsUrl, token);
    const s1 = collect(c1, SUB);
    await sleep(100);
    await send(token, 'p@dummy', 'before');
    await s1.waitFor(1);
    await c1.dispose();
    const c2 = wsClient(hub.wsUrl, token);
    const s2 = collect(c2, SUB);
    await sleep(200);
    await send(token, 'p@dummy', 'after');
    await s2.waitFor(1);
    expect(messages(s2.items)).toEqual(['after']);
    const state = await ok(hub.url, verb('query', 'object { json }'), { input: { platform: 'dummy', actor: { id: 'p@dummy', type: 'person' }, object: { type: 'attendance' } } }, token);
    expect(state.query.object.json.commands).toBe(3);
    await c2.dispose();
  });

  it('ends the subscriptions of a closed session and disconnects the connections it does not share', async () => {
    const alone = await connectedSession('z@dummy', { name: 'z', secret: 'alone' });
    const shared = await connectedSession('y@dummy', { name: 'y', secret: 'shared' });
    const sharer = await connectedSession('y@dummy', { name: 'y', secret: 'shared' });
    const r = redisClient();
    try {
      const aloneConns = await r.smembers(`${hub.prefix}:s:${await sessionId(alone)}:conns`);
      expect(aloneConns).toHaveLength(1);
      const clients = [wsClient(hub.wsUrl, alone), wsClient(hub.wsUrl, shared)];
      const subs = clients.map((c) => collect(c, SUB));
      await sleep(200);
      await send(alone, 'z@dummy', 'z once');
      expect(await commands(sharer, 'y@dummy')).toBe(1);
      await ok(hub.url, 'mutation { closeSession }', undefined, alone);
      await ok(hub.url, 'mutation { closeSession }', undefined, shared);
      // the subscriptions complete, with no error
      await eventually(() => subs.every((s) => s.completed));
      expect(subs.map((s) => s.errors)).toEqual([[], []]);
      expect(messages(subs[0]!.items)).toEqual(['z once']);
      // z's connection had no other session: it is closed and its lease released
      await eventually(async () => (await r.exists(`${hub.prefix}:c:${aloneConns[0]}:owner`)) === 0);
      // so the same credentials in a new session open a new connection: its counter starts again
      const again = await connectedSession('z@dummy', { name: 'z', secret: 'alone' });
      expect(await commands(again, 'z@dummy')).toBe(1);
      // y's connection is still up for the other session: the same counter goes on
      expect(await commands(sharer, 'y@dummy')).toBe(2);
      for (const c of clients) await c.dispose();
    } finally {
      r.disconnect();
    }
  });

  it('cuts off a subscriber that stops reading with 1013 "slow consumer"', async () => {
    const token = await connectedSession('slow@dummy');
    const ws = new WebSocket(hub.wsUrl, 'graphql-transport-ws');
    const closed = new Promise<{ code: number; reason: string }>((resolve) => ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() })));
    await new Promise<void>((resolve) => ws.on('open', () => resolve()));
    ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
    await new Promise<void>((resolve) => ws.once('message', () => resolve()));
    ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: 'subscription { activities { type json } }' } }));
    await sleep(200);
    // stop reading: the server's send buffer fills up
    (ws as unknown as { _socket: import('node:net').Socket })._socket.pause();
    // ~30 MB: more than the kernel's socket buffers on loopback can hold
    await send(token, 'slow@dummy', 'x'.repeat(10_000), 3000);
    await sleep(2000);
    (ws as unknown as { _socket: import('node:net').Socket })._socket.resume();
    const { code, reason } = await closed;
    expect(code).toBe(1013);
    expect(reason).toBe('slow consumer');
    // the server is fine afterwards
    expect((await ok(hub.url, '{ session { id } }', undefined, token)).session.id).toBeTruthy();
  }, 30_000);
});

// The hub on its own, in this process, against the test Redis: entries are appended by hand and
// Redis calls can be held back or made to fail, so the races between a subscribe, the reader and
// the keep-alive can be staged in a chosen order.
describe('event hub', () => {
  const prefix = uniquePrefix();
  const keys = new Keys(prefix);
  const log = createLogger('silent');
  const hubs: EventHub[] = [];
  let redis: Redis;
  let readerCount = 0;
  beforeAll(() => { redis = redisClient(); });
  afterAll(async () => {
    await Promise.all(hubs.map((h) => h.stop()));
    redis.disconnect();
    await dropPrefix(prefix);
  });

  type Call = (...args: unknown[]) => Promise<unknown>;
  /** The client with some commands wrapped (each gets the real one first); the rest pass through. */
  function intercept(client: Redis, over: Record<string, (real: Call, ...args: unknown[]) => Promise<unknown>>): Redis {
    return new Proxy(client, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target) as unknown;
        if (typeof value !== 'function') return value;
        const real = (value as Call).bind(target);
        const wrap = over[prop as string];
        return wrap ? (...args: unknown[]) => wrap(real, ...args) : real;
      },
    });
  }

  function gate() {
    let open!: () => void;
    const opened = new Promise<void>((r) => (open = r));
    return { open, wait: () => opened };
  }

  interface HubOptions {
    redis?: (r: Redis) => Redis;
    reader?: (r: Redis) => Redis;
    exists?: () => Promise<boolean>;
    ttlMs?: number;
  }

  function newHub(o: HubOptions = {}) {
    const sessions = { ttlMs: o.ttlMs ?? 600_000, exists: o.exists ?? (async () => true), touch: async () => {} } as unknown as SessionStore;
    const readerNames: string[] = [];
    const hub = new EventHub(o.redis ? o.redis(redis) : redis, () => {
      const name = `${prefix}-reader-${++readerCount}`;
      readerNames.push(name);
      const conn = createRedis(REDIS_URL, { blocking: true, name });
      conn.on('error', () => {});
      return o.reader ? o.reader(conn) : conn;
    }, keys, sessions, log);
    hubs.push(hub);
    return { hub, readerNames };
  }

  const doc = (n: number) => ({ type: 'send', platform: 'dummy', actor: { id: 'peer@dummy', type: 'person' }, object: { type: 'message', content: `m${n}` } });

  function newSession() {
    const sid = randomBytes(9).toString('base64url');
    const dek = randomBytes(32);
    const key = keys.events(sid);
    const body = (size: number) => seal(dek, JSON.stringify({ c: 't@dummy', a: Array.from({ length: size }, (_, i) => doc(i)) }), eventAad(sid));
    return {
      sid,
      dek,
      /** appends one entry of `size` activities; its id */
      append: async (size = 1) => (await redis.xadd(key, '*', 'a', body(size))) as string,
      /** appends `count` entries of one activity in one round trip; their ids */
      appendMany: async (count: number) => {
        const p = redis.pipeline();
        for (let i = 0; i < count; i++) p.xadd(key, '*', 'a', body(1));
        return ((await p.exec()) ?? []).map(([, id]) => id as string);
      },
    };
  }
  type TestSession = ReturnType<typeof newSession>;

  /** A subscriber that records the cursors it was sent. */
  class Recorder implements Subscriber {
    ended = false;
    readonly cursors: string[] = [];
    send(source: ActivitySource): boolean {
      if (this.ended) return false;
      this.cursors.push(source.cursor as string);
      return true;
    }
    end(): void {
      this.ended = true;
    }
    writable(): undefined {
      return undefined;
    }
  }

  const subscribe = (hub: EventHub, s: TestSession, sub: Subscriber, opts: { since?: string; group?: string } = {}) =>
    hub.subscribe({ sid: s.sid, dek: s.dek, groupKey: opts.group ?? 'g', filter: {}, render: (src) => JSON.stringify(src.cursor), since: opts.since, subscriber: sub });

  const gauge = async () => (await subscriptions.get()).values[0]?.value ?? 0;

  /** A reader connection whose XREAD results can be held back before the reader sees them. */
  function holdableReads() {
    let hold: ReturnType<typeof gate> | undefined;
    return {
      reader: (c: Redis) => intercept(c, {
        xread: async (real, ...args) => {
          const res = await real(...args);
          if (hold) await hold.wait();
          return res;
        },
      }),
      hold: () => (hold = gate()),
      release: () => { hold?.open(); hold = undefined; },
    };
  }

  it('hands over what arrives during a long replay after it, with no gap, no duplicate and in order', async () => {
    // the second XRANGE of the replay (entries 501..700) waits until the test lets it go
    let xranges = 0;
    const secondBatch = gate();
    const paused = gate();
    const { hub } = newHub({
      redis: (r) => intercept(r, {
        xrange: async (real, ...args) => {
          const res = await real(...args);
          if (++xranges === 2) { paused.open(); await secondBatch.wait(); }
          return res;
        },
      }),
    });
    const s = newSession();
    const old = (await s.appendMany(700)).map((id) => `${id}:0`);
    const live = new Recorder();
    await subscribe(hub, s, live, { group: 'live' });
    const replaying = new Recorder();
    const subscribed = subscribe(hub, s, replaying, { since: old[0] });
    await paused.wait();
    expect(replaying.cursors).toEqual(old.slice(1, 500));
    // live entries while the replay is between its two batches: they wait for it
    const during: string[] = [];
    for (let i = 0; i < 5; i++) {
      const id = await s.append(2);
      during.push(`${id}:0`, `${id}:1`);
    }
    await eventually(() => live.cursors.length === during.length);
    expect(replaying.cursors).toHaveLength(499);
    secondBatch.open();
    await subscribed;
    const after = await s.append(3);
    await eventually(() => replaying.cursors.length === 699 + during.length + 3);
    await sleep(100);
    expect(replaying.cursors).toEqual([...old.slice(1), ...during, `${after}:0`, `${after}:1`, `${after}:2`]);
  });

  it('takes out a member whose replay failed', async () => {
    let failing = false;
    const { hub } = newHub({
      redis: (r) => intercept(r, {
        xrange: async (real, ...args) => {
          if (failing) throw new Error('XRANGE failed');
          return real(...args);
        },
      }),
    });
    const s = newSession();
    const first = new Recorder();
    await subscribe(hub, s, first);
    const e0 = await s.append();
    await eventually(() => first.cursors.length === 1);
    const before = await gauge();
    failing = true;
    const refused = new Recorder();
    await expect(subscribe(hub, s, refused, { since: `${e0}:0` })).rejects.toThrow('XRANGE failed');
    failing = false;
    expect(await gauge()).toBe(before);
    await s.append();
    await eventually(() => first.cursors.length === 2);
    await sleep(100);
    expect(refused.cursors).toEqual([]);
  });

  it('refuses cursors whose entry id parts do not fit in 64 bits', async () => {
    const { hub } = newHub();
    const s = newSession();
    for (const since of ['0-18446744073709551616:0', '18446744073709551616-0:0', '99999999999999999999-0:3']) {
      await expect(subscribe(hub, s, new Recorder(), { since })).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    }
    // the largest id there is still is a cursor
    await expect(subscribe(hub, s, new Recorder(), { since: '18446744073709551615-18446744073709551615:0' })).resolves.toBeTypeOf('function');
  });

  it('lets the next subscriber try again when reading the end of the stream failed', async () => {
    let failures = 1;
    const { hub } = newHub({
      redis: (r) => intercept(r, {
        xrevrange: async (real, ...args) => {
          if (failures-- > 0) throw new Error('XREVRANGE failed');
          return real(...args);
        },
      }),
    });
    const s = newSession();
    await expect(subscribe(hub, s, new Recorder())).rejects.toThrow('XREVRANGE failed');
    const next = new Recorder();
    await subscribe(hub, s, next);
    const e = await s.append();
    await eventually(() => next.cursors.length === 1, 3000);
    expect(next.cursors).toEqual([`${e}:0`]);
  });

  it('skips what a cursor from another process already covers, though this process has not read that far', async () => {
    const reads = holdableReads();
    const { hub } = newHub({ reader: reads.reader });
    const s = newSession();
    const first = new Recorder();
    await subscribe(hub, s, first);
    await sleep(100);
    // this process's read of e1 and e2 is slow to come back...
    reads.hold();
    const e1 = await s.append(2);
    const e2 = await s.append(2);
    await sleep(100);
    // ...while a client resumes from a cursor that another process handed out for e2:0
    const resumed = new Recorder();
    await subscribe(hub, s, resumed, { since: `${e2}:0` });
    reads.release();
    await eventually(() => first.cursors.length === 4);
    const e3 = await s.append(1);
    await eventually(() => first.cursors.length === 5);
    await sleep(100);
    expect(first.cursors).toEqual([`${e1}:0`, `${e1}:1`, `${e2}:0`, `${e2}:1`, `${e3}:0`]);
    expect(resumed.cursors).toEqual([`${e2}:1`, `${e3}:0`]);
  });

  it('does not hand a read issued for a dropped tail to a new tail of the same stream', async () => {
    const reads = holdableReads();
    const { hub } = newHub({ reader: reads.reader });
    const s = newSession();
    const leave = await subscribe(hub, s, new Recorder());
    await sleep(100);
    reads.hold();
    await s.append(); // the pending read returns with it, and is held back
    await sleep(100);
    leave(); // the tail is dropped while its read is in flight
    await s.append();
    const later = new Recorder();
    await subscribe(hub, s, later); // a new tail, from after both entries
    reads.release();
    const e3 = await s.append();
    await eventually(() => later.cursors.length > 0, 3000);
    await sleep(200);
    expect(later.cursors).toEqual([`${e3}:0`]);
  });

  it('ends a subscriber whose session ended while its tail was being set up', async () => {
    const checked = gate();
    const xrevrange = gate();
    const { hub } = newHub({
      ttlMs: 4000, // the keep-alive runs every second
      exists: async () => { checked.open(); return false; },
      redis: (r) => intercept(r, { xrevrange: async (real, ...args) => { await xrevrange.wait(); return real(...args); } }),
    });
    const s = newSession();
    const sub = new Recorder();
    const subscribed = subscribe(hub, s, sub);
    await checked.wait(); // the keep-alive found the session gone and ended its tail
    await sleep(10);
    xrevrange.open();
    await subscribed;
    expect(sub.ended).toBe(true);
  });

  it('joins a fresh tail when the one it waited for lost its last member meanwhile', async () => {
    const { hub } = newHub();
    const s = newSession();
    const leave = await subscribe(hub, s, new Recorder());
    const sub = new Recorder();
    const subscribed = subscribe(hub, s, sub);
    leave(); // the tail is dropped while the new subscriber waits for it to be ready
    await subscribed;
    await sleep(50);
    const e = await s.append();
    await eventually(() => sub.cursors.length > 0, 3000);
    expect(sub.cursors).toEqual([`${e}:0`]);
    expect(sub.ended).toBe(false);
  });

  it('still interrupts the reader for a new stream after its connection was re-established', async () => {
    const { hub, readerNames } = newHub();
    const s1 = newSession();
    await subscribe(hub, s1, new Recorder());
    await sleep(100);
    const readerId = async () => {
      const list = (await redis.call('CLIENT', 'LIST')) as string;
      return /\bid=(\d+)\b/.exec(list.split('\n').find((l) => l.includes(` name=${readerNames[0]} `)) ?? '')?.[1];
    };
    const before = await readerId();
    expect(before).toBeDefined();
    // ioredis reconnects and sends the blocked XREAD again, on a connection with a new client id
    await redis.call('CLIENT', 'KILL', 'ID', before as string);
    await eventually(async () => { const now = await readerId(); return now !== undefined && now !== before; });
    await sleep(200);
    const s2 = newSession();
    const second = new Recorder();
    await subscribe(hub, s2, second);
    const e = await s2.append();
    // well before the 10 s the re-sent XREAD would block for
    await eventually(() => second.cursors.length > 0, 3000);
    expect(second.cursors).toEqual([`${e}:0`]);
  });
});

describe('SocketSubscriber', () => {
  const source: ActivitySource = { doc: { type: 'send', actor: { id: 'a', type: 'person' } }, cursor: '1-0:0' };
  const frame = 'x'.repeat(1000);

  /** Enough of a ws socket: what is sent piles up until uncork hands it to a kernel that takes it all, or nothing. */
  function fakeSocket(kernelTakes: boolean) {
    const s = {
      OPEN: 1,
      readyState: 1,
      bufferedAmount: 0,
      sentBytes: 0,
      closed: undefined as { code: number; reason: string } | undefined,
      send(data: string) { s.bufferedAmount += data.length; s.sentBytes += data.length; },
      close(code: number, reason: string) { s.closed = { code, reason }; s.readyState = 2; },
      _socket: { cork() {}, uncork() { if (kernelTakes) s.bufferedAmount = 0; } },
    };
    return s;
  }

  it('cuts off a client that stopped reading within one burst, with the backlog bounded', () => {
    const socket = fakeSocket(false);
    const sub = new SocketSubscriber(socket as unknown as WebSocket, '1', 64 * 1024);
    let accepted = 0;
    for (let i = 0; i < 1000; i++) if (sub.send(source, () => frame)) accepted++;
    // one XREAD result is written in one tick: the limit holds inside it, not only after it
    expect(socket.closed).toEqual({ code: SLOW_CONSUMER_CODE, reason: 'slow consumer' });
    expect(sub.ended).toBe(true);
    expect(socket.sentBytes).toBeLessThanOrEqual(64 * 1024 + 2 * frame.length);
    expect(accepted).toBeLessThan(70);
  });

  it('does not cut off a client whose kernel takes the burst, however long the burst', async () => {
    const socket = fakeSocket(true);
    const sub = new SocketSubscriber(socket as unknown as WebSocket, '1', 64 * 1024);
    for (let i = 0; i < 1000; i++) expect(sub.send(source, () => frame)).toBe(true);
    await new Promise((r) => setImmediate(r));
    expect(socket.closed).toBeUndefined();
    expect(sub.ended).toBe(false);
  });
});
