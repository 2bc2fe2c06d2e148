import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropPrefix, redisClient, startHubgraph, type Hubgraph } from './support/hubgraph.js';
import { errorCode, gql, ok, openSession } from './support/client.js';
import { dumpPrefix } from './support/redis-dump.js';

const SET = 'mutation($p: String!, $a: String!, $c: JSON!) { setCredentials(platform: $p, actor: $a, credentials: $c) }';
const PASSWORD = 'correct-horse-battery-staple-4711';

let hub: Hubgraph;
beforeAll(async () => { hub = await startHubgraph({ env: { LOG_LEVEL: 'trace' } }); });
afterAll(async () => { await hub.stop(); await dropPrefix(hub.prefix); });

describe('credentials', () => {
  it('are validated against the platform JSON Schema, naming the offending field', async () => {
    const token = await openSession(hub.url);
    const missing = await gql(hub.url, SET, { p: 'dummy', a: 'a@dummy', c: { secret: 'x' } }, token);
    expect(errorCode(missing)).toBe('BAD_USER_INPUT');
    expect(missing.errors?.[0]?.message).toContain('"name"');
    const wrongType = await gql(hub.url, SET, { p: 'dummy', a: 'a@dummy', c: { name: 42 } }, token);
    expect(errorCode(wrongType)).toBe('BAD_USER_INPUT');
    expect(wrongType.errors?.[0]?.extensions?.details).toEqual({ field: 'name' });
    const extra = await gql(hub.url, SET, { p: 'dummy', a: 'a@dummy', c: { name: 'a', nope: 1 } }, token);
    expect(errorCode(extra)).toBe('BAD_USER_INPUT');
    expect(extra.errors?.[0]?.message).toContain('nope');
    const notObject = await gql(hub.url, SET, { p: 'dummy', a: 'a@dummy', c: 'a string' }, token);
    expect(errorCode(notObject)).toBe('BAD_USER_INPUT');
    const unknownPlatform = await gql(hub.url, SET, { p: 'gopher', a: 'a', c: {} }, token);
    expect(errorCode(unknownPlatform)).toBe('BAD_USER_INPUT');
  });

  it('are stored encrypted: no Redis key or value holds the password, even after connect and events', async () => {
    const token = await openSession(hub.url);
    await ok(hub.url, SET, { p: 'dummy', a: 'enc@dummy', c: { name: 'enc', secret: PASSWORD } }, token);
    await ok(hub.url, 'mutation($i: ActivityInput!) { connect(input: $i) { id } }', { i: { platform: 'dummy', actor: { id: 'enc@dummy', type: 'person' } } }, token);
    await ok(hub.url, 'mutation($i: ActivityInput!) { send(input: $i) { id } }', {
      i: { platform: 'dummy', actor: { id: 'enc@dummy', type: 'person' }, object: { type: 'message', content: `body-${PASSWORD}` } },
    }, token);
    const dump = await dumpPrefix(hub.prefix);
    expect(dump.length).toBeGreaterThan(100);
    expect(dump).not.toContain(PASSWORD);
    expect(dump).not.toContain(token);
    expect(dump).not.toContain('correct-horse');
  });

  it('stay sealed inside queued jobs too (a job no worker has taken yet)', async () => {
    const api = await startHubgraph({ role: 'api', prefix: `${hub.prefix}-queued`, env: { HUBGRAPH_JOB_TIMEOUT: '300' } });
    try {
      const token = await openSession(api.url);
      const r = await gql(api.url, 'mutation($i: ActivityInput!) { fetch(input: $i) { id } }', {
        i: { platform: 'dummy', actor: { id: 'q@dummy', type: 'person' }, object: { type: 'echo', content: `queued-${PASSWORD}` } },
      }, token);
      expect(errorCode(r)).toBe('TIMEOUT');
      const dump = await dumpPrefix(`${hub.prefix}-queued`);
      expect(dump).toContain(':bull:platform-dummy:'); // the job is there, waiting
      expect(dump).not.toContain(PASSWORD);
      expect(dump).not.toContain('queued-');
    } finally {
      await api.stop();
      await dropPrefix(`${hub.prefix}-queued`);
    }
  });

  it('are never returned: the session lists actor ids only', async () => {
    const token = await openSession(hub.url);
    await ok(hub.url, SET, { p: 'dummy', a: 'me@dummy', c: { name: 'me', secret: PASSWORD } }, token);
    const d = await ok(hub.url, '{ session { actors } }', undefined, token);
    expect(d.session.actors).toEqual(['me@dummy']);
    const full = await gql(hub.url, '{ session { id actors expiresAt } platforms { id credentialsSchema } }', undefined, token);
    expect(JSON.stringify(full)).not.toContain(PASSWORD);
  });

  it('never appear in the logs', () => {
    expect(hub.stderr.join('')).not.toContain(PASSWORD);
  });

  it('are deleted by closeSession', async () => {
    const token = await openSession(hub.url);
    await ok(hub.url, SET, { p: 'dummy', a: 'gone@dummy', c: { name: 'gone' } }, token);
    const sid = (await ok(hub.url, '{ session { id } }', undefined, token)).session.id as string;
    const r = redisClient();
    try {
      expect(await r.exists(`${hub.prefix}:s:${sid}:creds`)).toBe(1);
      await ok(hub.url, 'mutation { closeSession }', undefined, token);
      expect(await r.exists(`${hub.prefix}:s:${sid}:creds`)).toBe(0);
      expect(await r.exists(`${hub.prefix}:s:${sid}`)).toBe(0);
    } finally {
      r.disconnect();
    }
  });
});
