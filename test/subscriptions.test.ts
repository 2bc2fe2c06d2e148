import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { dropPrefix, startHubgraph, stopAll, type Hubgraph } from './support/hubgraph.js';
import { collect, eventually, gql, ok, openSession, sleep, verb, wsClient } from './support/client.js';

const SUB = 'subscription($platform: String, $actor: String, $since: String) { activities(platform: $platform, actor: $actor, since: $since) { id type cursor platform actor { id } target { id } object { type content json } } }';

let hub: Hubgraph;
beforeAll(async () => { hub = await startHubgraph({ env: { HUBGRAPH_SUBSCRIBER_BUFFER: '65536' } }); });
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
    // another session cannot drive bob's connection by naming his actor
    const eve = await openSession(hub.url);
    const r = await gql(hub.url, verb('send', 'id'), { input: { platform: 'dummy', actor: { id: 'bob@dummy', type: 'person' }, object: { type: 'message', content: 'x' } } }, eve);
    expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
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
    // live again, during and after the replay
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

  it('rejects a malformed cursor with BAD_USER_INPUT', async () => {
    const token = await openSession(hub.url);
    const c = wsClient(hub.wsUrl, token);
    const s = collect(c, SUB, { since: 'yesterday' });
    await eventually(() => s.errors.length > 0);
    expect(JSON.stringify(s.errors)).toContain('BAD_USER_INPUT');
    await c.dispose();
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

  it('ends the subscriptions of a closed session', async () => {
    const token = await connectedSession('z@dummy');
    const c = wsClient(hub.wsUrl, token);
    const s = collect(c, SUB);
    await sleep(200);
    await ok(hub.url, 'mutation { closeSession }', undefined, token);
    await eventually(() => s.completed || s.errors.length > 0);
    await c.dispose();
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
