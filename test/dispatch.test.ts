import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropPrefix, redisClient, startHubgraph, stopAll, type Hubgraph } from './support/hubgraph.js';
import { errorCode, gql, ok, openSession, verb } from './support/client.js';

let hub: Hubgraph;
let token: string;
const actor = { id: 'd@dummy', type: 'person' };

beforeAll(async () => {
  hub = await startHubgraph({ env: { HUBGRAPH_JOB_TIMEOUT: '1500' } });
  token = await openSession(hub.url);
  await ok(hub.url, 'mutation { setCredentials(platform: "dummy", actor: "d@dummy", credentials: {name: "d"}) }', undefined, token);
});
afterAll(async () => { await stopAll(); await dropPrefix(hub.prefix); });

const fetchEcho = (object: Record<string, unknown>, id?: string) =>
  gql(hub.url, verb('fetch'), { input: { platform: 'dummy', actor: { id: 'x', type: 'person' }, object, ...(id ? { id } : {}) } }, token);

describe('dispatch', () => {
  it('runs a stateless verb through the queue and the jobs pool and resolves with its result', async () => {
    const r = await fetchEcho({ type: 'echo', content: 'ping', extra: { n: 1 } });
    expect(r.errors).toBeUndefined();
    const a = r.data!.fetch;
    expect(a).toMatchObject({ type: 'fetch', platform: 'dummy', actor: { id: 'x' }, object: { type: 'echo', content: 'ping' }, cursor: null });
    expect(a.json['@context']).toBe('https://www.w3.org/ns/activitystreams');
    expect(a.json.object.n).toBe(1);
    expect(new Date(a.published).toISOString()).toBe(a.published);
  });

  it('keeps no result it has delivered: the reply stream holds at most the last one, however many calls ran', async () => {
    const big = 'x'.repeat(20_000);
    for (let i = 0; i < 30; i++) expect((await fetchEcho({ type: 'echo', content: big })).data?.fetch.object.content).toBe(big);
    const redis = redisClient();
    try {
      const keys = await redis.keys(`${hub.prefix}:replies:*`);
      expect(keys).toHaveLength(1);
      // trimmed after each read, ahead of the next one: the last result may still be there
      expect(await redis.xlen(keys[0] as string)).toBeLessThanOrEqual(1);
    } finally {
      redis.disconnect();
    }
  });

  it('turns a platform failure into PLATFORM_ERROR with its message', async () => {
    const r = await fetchEcho({ type: 'fail' });
    expect(errorCode(r)).toBe('PLATFORM_ERROR');
    expect(r.errors?.[0]?.message).toMatch(/failed on purpose/);
  });

  it('refuses bad input with BAD_USER_INPUT before queueing', async () => {
    expect(errorCode(await gql(hub.url, verb('fetch'), { input: { platform: 'nope', actor } }, token))).toBe('BAD_USER_INPUT');
    expect(errorCode(await gql(hub.url, verb('requestFriend'), { input: { platform: 'dummy', actor } }, token))).toBe('BAD_USER_INPUT');
    expect(errorCode(await gql(hub.url, verb('fetch'), { input: { platform: 'dummy', actor: { id: '', type: 'person' } } }, token))).toBe('BAD_USER_INPUT');
    expect(errorCode(await fetchEcho({ type: 'no-such-kind' }))).toBe('BAD_USER_INPUT');
    expect(errorCode(await fetchEcho({ type: 'echo', extra: [1, 2] }))).toBe('BAD_USER_INPUT');
    const missingArg = await gql(hub.url, 'mutation { fetch { id } }', undefined, token);
    expect(missingArg.errors?.length).toBeGreaterThan(0);
  });

  it('needs credentials before connect, and a connection before other connection verbs', async () => {
    const t = await openSession(hub.url);
    const noCreds = await gql(hub.url, verb('connect'), { input: { platform: 'dummy', actor: { id: 'nobody@dummy', type: 'person' } } }, t);
    expect(errorCode(noCreds)).toBe('BAD_USER_INPUT');
    await ok(hub.url, 'mutation { setCredentials(platform: "dummy", actor: "n@dummy", credentials: {name: "n"}) }', undefined, t);
    const notConnected = await gql(hub.url, verb('join'), { input: { platform: 'dummy', actor: { id: 'n@dummy', type: 'person' }, target: { id: '#r', type: 'room' } } }, t);
    expect(errorCode(notConnected)).toBe('PLATFORM_ERROR');
    expect(notConnected.errors?.[0]?.message).toMatch(/connect first/);
  });

  it('reports a refused connect as PLATFORM_ERROR', async () => {
    const t = await openSession(hub.url);
    await ok(hub.url, 'mutation { setCredentials(platform: "dummy", actor: "r@dummy", credentials: {name: "r", refuse: true}) }', undefined, t);
    const r = await gql(hub.url, verb('connect'), { input: { platform: 'dummy', actor: { id: 'r@dummy', type: 'person' } } }, t);
    expect(errorCode(r)).toBe('PLATFORM_ERROR');
    expect(r.errors?.[0]?.message).toMatch(/refused/);
  });

  it('runs an activity with a repeated client id once and returns the first result', async () => {
    await ok(hub.url, verb('connect'), { input: { platform: 'dummy', actor } }, token);
    const send = { platform: 'dummy', id: 'client-id-1', actor, object: { type: 'message', content: 'once' } };
    const [first, second] = await Promise.all([
      ok(hub.url, verb('send'), { input: send }, token),
      ok(hub.url, verb('send'), { input: send }, token),
    ]);
    const third = await ok(hub.url, verb('send'), { input: send }, token);
    expect(second.send.id).toBe(first.send.id);
    expect(third.send.published).toBe(first.send.published);
    const state = await ok(hub.url, verb('query'), { input: { platform: 'dummy', actor, object: { type: 'attendance' } } }, token);
    // the session counted exactly one send, plus this query
    expect(state.query.object.json.commands).toBe(2);
    // the id is scoped to the session: another session may use it
    const other = await openSession(hub.url);
    const r = await gql(hub.url, verb('fetch'), { input: { platform: 'dummy', id: 'client-id-1', actor, object: { type: 'echo' } } }, other);
    expect(r.data?.fetch.type).toBe('fetch');
  });

  it('lets a client retry an id whose first attempt was refused before it ran', async () => {
    const t = await openSession(hub.url);
    const input = { platform: 'dummy', id: 'retry-me', actor: { id: 'late@dummy', type: 'person' }, object: { type: 'message', content: 'x' } };
    expect(errorCode(await gql(hub.url, verb('send'), { input }, t))).toBe('BAD_USER_INPUT');
    await ok(hub.url, 'mutation { setCredentials(platform: "dummy", actor: "late@dummy", credentials: {name: "late"}) }', undefined, t);
    await ok(hub.url, verb('connect', 'id'), { input: { platform: 'dummy', actor: { id: 'late@dummy', type: 'person' } } }, t);
    expect((await gql(hub.url, verb('send'), { input }, t)).data?.send.type).toBe('send');
  });

  it('fails a verb that runs too long with TIMEOUT, and the pool keeps working', async () => {
    const started = Date.now();
    const slow = await fetchEcho({ type: 'sleep', extra: { ms: 5000 } });
    expect(errorCode(slow)).toBe('TIMEOUT');
    expect(Date.now() - started).toBeLessThan(3000);
    expect((await fetchEcho({ type: 'echo' })).data?.fetch.type).toBe('fetch');
  });

  it('ends a job thread stuck in an endless loop and keeps serving', async () => {
    const stuck = await fetchEcho({ type: 'spin' });
    expect(errorCode(stuck)).toBe('TIMEOUT');
    // the other thread serves meanwhile; after the watchdog, both do again
    for (let i = 0; i < 10; i++) expect((await fetchEcho({ type: 'echo' })).data?.fetch.type).toBe('fetch');
    await new Promise((r) => setTimeout(r, 4000));
    const results = await Promise.all(Array.from({ length: 20 }, () => fetchEcho({ type: 'echo' })));
    expect(results.every((r) => r.data?.fetch.type === 'fetch')).toBe(true);
    expect(hub.stderr.join('')).toContain('busy longer than any job may take');
  }, 20_000);

  it('answers TIMEOUT, not a hang, when no worker takes the job', async () => {
    const api = await startHubgraph({ role: 'api', prefix: `${hub.prefix}-noworker`, env: { HUBGRAPH_JOB_TIMEOUT: '800' } });
    const t = await openSession(api.url);
    const started = Date.now();
    const r = await gql(api.url, verb('fetch'), { input: { platform: 'dummy', actor, object: { type: 'echo' } } }, t);
    expect(errorCode(r)).toBe('TIMEOUT');
    expect(Date.now() - started).toBeLessThan(2500);
    await api.stop();
    await dropPrefix(`${hub.prefix}-noworker`);
  });
});
