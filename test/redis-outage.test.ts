// Redis goes away and comes back (a private redis-server with append-only persistence, killed and
// restarted by the test): mutations during the outage fail fast with UNAVAILABLE instead of hanging,
// inbound activities that arrive meanwhile wait in the worker and are published when it is back, and
// afterwards the same session, credentials, connection and subscription carry on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHubgraph, type Hubgraph } from './support/hubgraph.js';
import { collect, errorCode, eventually, gql, ok, openSession, verb, wsClient } from './support/client.js';
import { startRedisServer, type RedisServer } from './support/redis-server.js';

let redis: RedisServer;
let hub: Hubgraph;

beforeAll(async () => {
  redis = await startRedisServer();
  hub = await startHubgraph({ env: { REDIS_URL: redis.url, HUBGRAPH_JOB_TIMEOUT: '10000' } });
});

afterAll(async () => {
  await hub?.stop('SIGKILL');
  await redis?.stop();
});

const me = { id: 'rita@dummy', type: 'person' };
const send = (token: string, content: string) => gql(hub.url, verb('send', 'object { content }'), { input: { platform: 'dummy', actor: me, target: { id: 'lobby', type: 'room' }, object: { type: 'message', content } } }, token);

describe('Redis outage', () => {
  it('fails mutations fast with UNAVAILABLE while Redis is down, then carries on with the same session, connection and subscription', async () => {
    const token = await openSession(hub.url);
    await ok(hub.url, 'mutation($a: String!, $c: JSON!) { setCredentials(platform: "dummy", actor: $a, credentials: $c) }', { a: me.id, c: { name: 'rita' } }, token);
    await ok(hub.url, verb('connect', 'id'), { input: { platform: 'dummy', actor: me } }, token);
    const ws = wsClient(hub.wsUrl, token);
    const feed = collect(ws, 'subscription { activities { type object { content } } }');
    try {
      await new Promise((r) => setTimeout(r, 500)); // the subscription is reading its stream
      expect((await send(token, 'before')).errors).toBeUndefined();
      await eventually(() => feed.items.find((i) => i.activities.object?.content === 'before'), 5000, 20);

      // three echoes that arrive while Redis is down: kept by the worker and published once it is back
      const delayed = await gql(hub.url, verb('send', 'id'), { input: { platform: 'dummy', actor: me, target: { id: 'lobby', type: 'room' }, object: { type: 'message', content: 'meanwhile', extra: { repeat: 3, delayMs: 600 } } } }, token);
      expect(delayed.errors).toBeUndefined();
      await redis.kill();
      for (const attempt of [() => send(token, 'during'), () => gql(hub.url, 'mutation { openSession { token } }')]) {
        const t0 = Date.now();
        const r = await attempt();
        expect(errorCode(r), JSON.stringify(r)).toBe('UNAVAILABLE');
        expect(r.errors?.[0]?.message).toMatch(/redis/i);
        expect(Date.now() - t0).toBeLessThan(3000);
      }
      const health = await fetch(hub.url.replace('/graphql', '/healthz'));
      expect(health.status).toBe(503);

      await redis.restart();
      // the same token, credentials and connection; the open subscription receives again
      const after = await eventually(async () => {
        const r = await send(token, 'after');
        if (r.errors) throw new Error(JSON.stringify(r.errors));
        return r;
      }, 20_000, 250);
      expect(after.data?.send.object.content).toBe('after');
      await eventually(() => feed.items.find((i) => i.activities.object?.content === 'after'), 10_000, 20);
      expect(feed.items.filter((i) => i.activities.object?.content === 'during')).toHaveLength(0);
      expect(feed.items.filter((i) => i.activities.object?.content === 'meanwhile')).toHaveLength(3);
      expect((await fetch(hub.url.replace('/graphql', '/healthz'))).status).toBe(200);
    } finally {
      await ws.dispose();
    }
  }, 60_000);
});
