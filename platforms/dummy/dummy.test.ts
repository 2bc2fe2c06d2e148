// The test platform's own behaviour, through the public API: what the engine tests rely on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropPrefix, startHubgraph, type Hubgraph } from '../../test/support/hubgraph.js';
import { collect, errorCode, gql, ok, openSession, sleep, verb, wsClient } from '../../test/support/client.js';

let hub: Hubgraph;
let token: string;
const actor = { id: 'dm@dummy', type: 'person' };
const room = { id: '#room@dummy', type: 'room' };

beforeAll(async () => {
  hub = await startHubgraph();
  token = await openSession(hub.url);
  await ok(hub.url, 'mutation { setCredentials(platform: "dummy", actor: "dm@dummy", credentials: {name: "dm"}) }', undefined, token);
});
afterAll(async () => { await hub.stop(); await dropPrefix(hub.prefix); });

describe('dummy platform', () => {
  it('describes itself: persistent, its verbs and its credentials schema', async () => {
    const d = await ok(hub.url, '{ platforms { id verbs persistent credentialsSchema } }', undefined, token);
    expect(d.platforms).toEqual([
      expect.objectContaining({ id: 'dummy', persistent: true, verbs: expect.arrayContaining(['connect', 'send', 'fetch']) }),
    ]);
    expect(d.platforms[0].credentialsSchema.required).toEqual(['name']);
  });

  it('announces presence on connect, join and leave of rooms, and echoes messages to the room', async () => {
    const c = wsClient(hub.wsUrl, token);
    const s = collect(c, 'subscription { activities { type actor { id name } target { id type } object { type content json } } }');
    await sleep(200);
    await ok(hub.url, verb('connect', 'id'), { input: { platform: 'dummy', actor } }, token);
    await ok(hub.url, verb('join', 'id'), { input: { platform: 'dummy', actor, target: room } }, token);
    await ok(hub.url, verb('send', 'id'), { input: { platform: 'dummy', actor, target: room, object: { type: 'message', content: 'hi room' } } }, token);
    await ok(hub.url, verb('update', 'id'), { input: { platform: 'dummy', actor, object: { type: 'presence', content: 'lunch', extra: { presence: 'away' } } } }, token);
    await ok(hub.url, verb('leave', 'id'), { input: { platform: 'dummy', actor, target: room } }, token);
    const items = (await s.waitFor(5)).map((i) => i.activities);
    expect(items.map((a) => `${a.type}:${a.object?.type ?? ''}`)).toEqual(['update:presence', 'join:', 'send:message', 'update:presence', 'leave:']);
    expect(items[1]).toMatchObject({ actor: { id: 'dm@dummy', name: 'dm' }, target: room });
    expect(items[2]).toMatchObject({ actor: { id: 'echo@dummy' }, target: room, object: { content: 'hi room' } });
    expect(items[3].object.json).toMatchObject({ presence: 'away', content: 'lunch' });
    const state = await ok(hub.url, verb('query', 'object { json }'), { input: { platform: 'dummy', actor, object: { type: 'attendance' } } }, token);
    expect(state.query.object.json).toMatchObject({ type: 'state', name: 'dm', rooms: [] });
    await c.dispose();
  });

  it('checks its verb shapes before queueing', async () => {
    const noContent = await gql(hub.url, verb('send', 'id'), { input: { platform: 'dummy', actor, object: { type: 'message' } } }, token);
    expect(errorCode(noContent)).toBe('BAD_USER_INPUT');
    expect(noContent.errors?.[0]?.message).toContain('content');
    const badCrash = await gql(hub.url, verb('update', 'id'), { input: { platform: 'dummy', actor, object: { type: 'crash', extra: { mode: 'explode' } } } }, token);
    expect(errorCode(badCrash)).toBe('BAD_USER_INPUT');
  });
});
