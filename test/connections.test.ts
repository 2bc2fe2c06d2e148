// Owning and opening persistent connections: one protocol connection per key, whatever the timing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropPrefix, redisClient, startHubgraph, stopAll, type Hubgraph } from './support/hubgraph.js';
import { Keyring } from '../src/crypto/keys.js';
import { collect, errorCode, eventually, gql, ok, openSession, sleep, verb, wsClient } from './support/client.js';

let hub: Hubgraph;
beforeAll(async () => {
  hub = await startHubgraph({ env: { HUBGRAPH_CONNECTION_LEASE: '900', HUBGRAPH_JOB_TIMEOUT: '4000', HUBGRAPH_SESSION_THREADS: '1' } });
});
afterAll(async () => { await stopAll(); await dropPrefix(hub.prefix); });

const person = (id: string) => ({ id, type: 'person' });

async function withCredentials(actorId: string, creds: Record<string, unknown>): Promise<string> {
  const token = await openSession(hub.url);
  await ok(hub.url, 'mutation($a: String!, $c: JSON!) { setCredentials(platform: "dummy", actor: $a, credentials: $c) }', { a: actorId, c: creds }, token);
  return token;
}

const connect = (token: string, actorId: string) => gql(hub.url, verb('connect', 'id'), { input: { platform: 'dummy', actor: person(actorId) } }, token);
const commands = async (token: string, actorId: string) =>
  (await ok(hub.url, verb('query', 'object { json }'), { input: { platform: 'dummy', actor: person(actorId), object: { type: 'attendance' } } }, token)).query.object.json.commands as number;
async function hosted(): Promise<number> {
  const text = await (await fetch(hub.url.replace('/graphql', '/metrics'))).text();
  return Number(/hubgraph_hosted_sessions\{platform="dummy"\} (\d+)/.exec(text)?.[1] ?? 0);
}

describe('connections', () => {
  it('keeps the newest saved state in Redis after a burst of saves (what a takeover reopens with)', async () => {
    const t = await withCredentials('busy@dummy', { name: 'busy' });
    expect((await connect(t, 'busy@dummy')).errors).toBeUndefined();
    const rooms = Array.from({ length: 40 }, (_, i) => `#r${i}@dummy`);
    // each join saves the whole room list: 40 saves in a burst, each newer than the last
    for (const r of await Promise.all(rooms.map((id) => gql(hub.url, verb('join', 'id'), { input: { platform: 'dummy', actor: person('busy@dummy'), target: { id, type: 'room' } } }, t)))) {
      expect(r.errors).toBeUndefined();
    }
    const redis = redisClient();
    try {
      const stored = await eventually(async () => {
        for (const key of await redis.keys(`${hub.prefix}:c:*`)) {
          if (key.split(':').length !== 3 || (await redis.type(key)) !== 'hash' || (await redis.hget(key, 'actor')) !== 'busy@dummy') continue;
          const connKey = key.slice(`${hub.prefix}:c:`.length);
          const sealed = await redis.get(`${key}:state`);
          const state = sealed ? (new Keyring(hub.secret).openState(connKey, sealed) as { rooms: string[] }) : undefined;
          if (state?.rooms.length === rooms.length) return state;
        }
        throw new Error('the stored state does not hold every room yet');
      }, 3000, 50);
      expect([...stored.rooms].sort()).toEqual([...rooms].sort());
    } finally {
      redis.disconnect();
    }
  });

  it('keeps a connection whose opening outlasts the lease', async () => {
    const t = await withCredentials('slow@dummy', { name: 'slow', connectDelayMs: 2000 });
    expect((await connect(t, 'slow@dummy')).errors).toBeUndefined();
    await sleep(1500); // more than one lease after it became ready
    expect(await commands(t, 'slow@dummy')).toBe(1);
  });

  it('opens one protocol connection when sessions with identical credentials connect at once', async () => {
    const before = await hosted();
    const creds = { name: 'twin', connectDelayMs: 300 };
    const [a, b] = await Promise.all([withCredentials('twin@dummy', creds), withCredentials('twin@dummy', creds)]);
    const c = wsClient(hub.wsUrl, a);
    const s = collect(c, 'subscription { activities { type object { type } } }');
    await sleep(200);
    const results = await Promise.all([connect(a, 'twin@dummy'), connect(b, 'twin@dummy')]);
    expect(results.map((r) => r.errors)).toEqual([undefined, undefined]);
    await sleep(300);
    expect(s.items.filter((i) => i.activities.object?.type === 'presence')).toHaveLength(1);
    expect(await hosted()).toBe(before + 1);
    await commands(a, 'twin@dummy');
    expect(await commands(b, 'twin@dummy')).toBe(2);
    await c.dispose();
  });

  it('opens at once, and only once, when a client connects while a lost connection waits to be reopened', async () => {
    const t = await withCredentials('lost@dummy', { name: 'lost', connectDelayMs: 300 });
    await connect(t, 'lost@dummy');
    const before = await hosted();
    await ok(hub.url, verb('update', 'id'), { input: { platform: 'dummy', actor: person('lost@dummy'), object: { type: 'crash', extra: { mode: 'throw' } } } }, t);
    await eventually(async () => (await hosted()) === before - 1);
    expect((await connect(t, 'lost@dummy')).errors).toBeUndefined();
    await sleep(1000);
    expect(await hosted()).toBe(before);
  });

  it('fails a connect that never becomes ready with TIMEOUT, and leaves nothing behind', async () => {
    const before = await hosted();
    const t = await withCredentials('mute@dummy', { name: 'mute', connectDelayMs: 6000 });
    const started = Date.now();
    expect(errorCode(await connect(t, 'mute@dummy'))).toBe('TIMEOUT');
    expect(Date.now() - started).toBeLessThan(5500);
    await sleep(2500); // the platform says ready after all: it is closed, not hosted
    expect(await hosted()).toBe(before);
  }, 15_000);

  it('refuses new credentials for an actor that is connected with the old ones', async () => {
    const t = await withCredentials('swap@dummy', { name: 'swap', secret: 'one' });
    await connect(t, 'swap@dummy');
    const r = await gql(hub.url, 'mutation { setCredentials(platform: "dummy", actor: "swap@dummy", credentials: {name: "swap", secret: "two"}) }', undefined, t);
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
    expect(r.errors?.[0]?.message).toContain('disconnect it first');
    await ok(hub.url, verb('disconnect', 'id'), { input: { platform: 'dummy', actor: person('swap@dummy') } }, t);
    await ok(hub.url, 'mutation { setCredentials(platform: "dummy", actor: "swap@dummy", credentials: {name: "swap", secret: "two"}) }', undefined, t);
    expect((await connect(t, 'swap@dummy')).errors).toBeUndefined();
  });

  it('closes the connection when the last session disconnects, and keeps it while one is left', async () => {
    const before = await hosted();
    const a = await withCredentials('pair@dummy', { name: 'pair' });
    const b = await withCredentials('pair@dummy', { name: 'pair' });
    await connect(a, 'pair@dummy');
    await connect(b, 'pair@dummy');
    expect(await hosted()).toBe(before + 1);
    await ok(hub.url, verb('disconnect', 'id'), { input: { platform: 'dummy', actor: person('pair@dummy') } }, a);
    expect(await commands(b, 'pair@dummy')).toBe(1);
    await ok(hub.url, verb('disconnect', 'id'), { input: { platform: 'dummy', actor: person('pair@dummy') } }, b);
    await eventually(async () => (await hosted()) === before);
  });
});

describe('connections of expired sessions', () => {
  it('are closed by their owner once no live session is attached', async () => {
    const short = await startHubgraph({ env: { HUBGRAPH_SESSION_TTL: '2', HUBGRAPH_CONNECTION_LEASE: '900' } });
    try {
      const token = await openSession(short.url);
      await ok(short.url, 'mutation { setCredentials(platform: "dummy", actor: "old@dummy", credentials: {name: "old"}) }', undefined, token);
      await ok(short.url, verb('connect', 'id'), { input: { platform: 'dummy', actor: person('old@dummy') } }, token);
      const gauge = async () => Number(/hubgraph_hosted_sessions\{platform="dummy"\} (\d+)/.exec(await (await fetch(short.url.replace('/graphql', '/metrics'))).text())?.[1] ?? -1);
      expect(await gauge()).toBe(1);
      // nobody uses the session: it expires after 2 s, and its connection goes with it
      await eventually(async () => (await gauge()) === 0, 8000, 200);
    } finally {
      await short.stop();
      await dropPrefix(short.prefix);
    }
  }, 15_000);
});
