import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropPrefix, startHubgraph, type Hubgraph } from './support/hubgraph.js';
import { errorCode, gql, ok, openSession } from './support/client.js';

let hub: Hubgraph;
beforeAll(async () => { hub = await startHubgraph(); });
afterAll(async () => { await hub.stop(); await dropPrefix(hub.prefix); });

describe('sessions', () => {
  it('openSession needs no token and returns a long opaque token and an ISO expiry', async () => {
    const d = await ok(hub.url, 'mutation { openSession { token expiresAt } }');
    expect(d.openSession.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(new Date(d.openSession.expiresAt).getTime()).toBeGreaterThan(Date.now() + 29 * 60_000);
  });

  it('refuses operations without a token, with UNAUTHENTICATED', async () => {
    for (const q of ['{ session { id } }', '{ platforms { id } }', 'mutation { closeSession }']) {
      expect(errorCode(await gql(hub.url, q))).toBe('UNAUTHENTICATED');
    }
    expect(errorCode(await gql(hub.url, '{ session { id } }', undefined, 'not-a-real-token-but-long-enough'))).toBe('UNAUTHENTICATED');
  });

  it('lets introspection through without a token', async () => {
    const r = await gql(hub.url, '{ __schema { queryType { name } } }');
    expect(r.errors).toBeUndefined();
    expect(r.data?.__schema.queryType.name).toBe('Query');
  });

  it('closeSession ends the session: the token stops working', async () => {
    const token = await openSession(hub.url);
    expect((await ok(hub.url, '{ session { id } }', undefined, token)).session.id).toBeTruthy();
    expect((await ok(hub.url, 'mutation { closeSession }', undefined, token)).closeSession).toBe(true);
    expect(errorCode(await gql(hub.url, '{ session { id } }', undefined, token))).toBe('UNAUTHENTICATED');
  });
});

describe('session idle TTL', () => {
  let short: Hubgraph;
  beforeAll(async () => { short = await startHubgraph({ env: { HUBGRAPH_SESSION_TTL: '2' } }); });
  afterAll(async () => { await short.stop(); await dropPrefix(short.prefix); });

  it('is configurable: a session used within its TTL lives on, an idle one expires with its credentials', async () => {
    const used = await openSession(short.url);
    const idle = await openSession(short.url);
    await ok(short.url, 'mutation { setCredentials(platform: "dummy", actor: "i@dummy", credentials: {name: "i"}) }', undefined, idle);
    for (let i = 0; i < 6; i++) {
      await new Promise((r) => setTimeout(r, 500));
      expect((await gql(short.url, '{ session { id } }', undefined, used)).errors).toBeUndefined();
    }
    expect(errorCode(await gql(short.url, '{ session { id } }', undefined, idle))).toBe('UNAUTHENTICATED');
    const exp = (await ok(short.url, '{ session { expiresAt } }', undefined, used)).session.expiresAt;
    expect(new Date(exp).getTime() - Date.now()).toBeLessThanOrEqual(2000);
  });
});
