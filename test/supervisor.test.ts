import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropPrefix, startHubgraph, stopAll, type Hubgraph } from './support/hubgraph.js';
import { collect, eventually, ok, openSession, sleep, verb, wsClient } from './support/client.js';

const SUB = 'subscription { activities { type actor { id } object { type content } } }';

let hub: Hubgraph;
beforeAll(async () => {
  // one session thread, so every session shares the thread that crashes
  hub = await startHubgraph({ env: { HUBGRAPH_SESSION_THREADS: '1', HUBGRAPH_HEARTBEAT: '200' } });
});
afterAll(async () => { await stopAll(); await dropPrefix(hub.prefix); });

const person = (id: string) => ({ id, type: 'person' });

async function connected(actorId: string): Promise<string> {
  const token = await openSession(hub.url);
  await ok(hub.url, 'mutation($a: String!, $c: JSON!) { setCredentials(platform: "dummy", actor: $a, credentials: $c) }', { a: actorId, c: { name: actorId } }, token);
  await ok(hub.url, verb('connect', 'id'), { input: { platform: 'dummy', actor: person(actorId) } }, token);
  return token;
}

async function state(token: string, actorId: string): Promise<{ commands: number; threadId: number }> {
  const d = await ok(hub.url, verb('query', 'object { json }'), { input: { platform: 'dummy', actor: person(actorId), object: { type: 'attendance' } } }, token);
  return d.query.object.json;
}

async function crash(token: string, actorId: string, mode: string): Promise<void> {
  await ok(hub.url, verb('update', 'id'), { input: { platform: 'dummy', actor: person(actorId), object: { type: 'crash', extra: { mode } } } }, token);
}

const types = (items: any[]) => items.map((i) => `${i.activities.type}:${i.activities.object?.type ?? ''}`);

describe('session supervisor', () => {
  it('contains an uncaught error to its own session, which is restored; neighbours are untouched', async () => {
    const bad = await connected('bad@dummy');
    const good = await connected('good@dummy');
    const before = await state(good, 'good@dummy');
    const c = wsClient(hub.wsUrl, bad);
    const s = collect(c, SUB);
    await sleep(200);
    await crash(bad, 'bad@dummy', 'throw');
    await eventually(() => types(s.items).includes('connect:status'));
    // lost, reopened (the new connection announces its presence), restored: in that order
    expect(types(s.items)).toEqual(['disconnect:error', 'update:presence', 'connect:status']);
    // the good session kept its thread and its state
    const after = await state(good, 'good@dummy');
    expect(after.threadId).toBe(before.threadId);
    expect(after.commands).toBe(before.commands + 1);
    // the bad one is back, as a fresh connection
    expect((await state(bad, 'bad@dummy')).commands).toBe(1);
    await c.dispose();
  });

  it('restores every session of a thread that exits, and tells their subscribers', async () => {
    const a = await connected('ea@dummy');
    const b = await connected('eb@dummy');
    await ok(hub.url, verb('join', 'id'), { input: { platform: 'dummy', actor: person('eb@dummy'), target: { id: '#kept', type: 'room' } } }, b);
    const before = await state(b, 'eb@dummy');
    const ca = wsClient(hub.wsUrl, a);
    const cb = wsClient(hub.wsUrl, b);
    const sa = collect(ca, SUB);
    const sb = collect(cb, SUB);
    await sleep(200);
    await crash(a, 'ea@dummy', 'exit');
    for (const s of [sa, sb]) {
      await eventually(() => types(s.items).includes('connect:status'), 15_000);
      expect(types(s.items).indexOf('disconnect:error')).toBeGreaterThanOrEqual(0);
      expect(types(s.items).indexOf('disconnect:error')).toBeLessThan(types(s.items).indexOf('connect:status'));
    }
    const after = await state(b, 'eb@dummy');
    expect(after.threadId).not.toBe(before.threadId);
    expect(after.commands).toBe(1);
    // what the session saved (its rooms) came back with it
    expect((after as unknown as { rooms: string[] }).rooms).toEqual(['#kept']);
    // and they work: a send reaches the subscriber
    await ok(hub.url, verb('send', 'id'), { input: { platform: 'dummy', actor: person('ea@dummy'), object: { type: 'message', content: 'back' } } }, a);
    await eventually(() => sa.items.some((i) => i.activities.object?.content === 'back'));
    await ca.dispose();
    await cb.dispose();
  }, 30_000);

  it('replaces a thread stuck in an endless loop and restores its sessions', async () => {
    const a = await connected('ha@dummy');
    const before = await state(a, 'ha@dummy');
    const c = wsClient(hub.wsUrl, a);
    const s = collect(c, SUB);
    await sleep(200);
    await crash(a, 'ha@dummy', 'hang');
    await eventually(() => types(s.items).includes('connect:status'), 15_000);
    const after = await state(a, 'ha@dummy');
    expect(after.threadId).not.toBe(before.threadId);
    expect(hub.stderr.join('')).toContain('stopped answering');
    await c.dispose();
  }, 30_000);

});
