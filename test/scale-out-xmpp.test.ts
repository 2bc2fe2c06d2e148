// Scale-out with XMPP: one API and two workers on one Redis, a real Prosody, a plain @xmpp/client
// in the room. The worker holding the XMPP connection is SIGKILLed: another reopens it from the
// stored credentials within 10 s, rejoins the room, and messages flow both ways again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { client, xml } from '@xmpp/client';
import type { Element } from '@xmpp/xml';
import { dropPrefix, startHubgraph, uniquePrefix, type Hubgraph } from './support/hubgraph.js';
import { collect, eventually, gql, ok, openSession, wsClient } from './support/client.js';
import { startProsody, stopAllProsody, type Prosody } from './support/prosody.js';
import { connectionOwner } from './support/redis-dump.js';

const SET = 'mutation($p: String!, $a: String!, $c: JSON!) { setCredentials(platform: $p, actor: $a, credentials: $c) }';
const mutation = (verb: string) => `mutation($input: ActivityInput!) { ${verb}(input: $input) { type } }`;

let xmppd: Prosody;
const hubs: Hubgraph[] = [];
const prefix = uniquePrefix();
const stops: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  xmppd = await startProsody({ accounts: { hana: 'hanapass', omar: 'omarpass' } });
});

afterAll(async () => {
  for (const s of stops) await s().catch(() => undefined);
  await Promise.all(hubs.map((h) => h.stop('SIGKILL')));
  await dropPrefix(prefix);
  await stopAllProsody();
});

async function start(role: 'api' | 'worker'): Promise<Hubgraph & { id: string }> {
  const hub = await startHubgraph({ role, prefix, env: { HUBGRAPH_PLATFORMS: 'xmpp' } });
  hubs.push(hub);
  return Object.assign(hub, { id: /worker ready \((\S+)\)/.exec(hub.stdout.join(''))?.[1] ?? '' });
}

describe('scale-out with XMPP', () => {
  it('a worker SIGKILLed while it holds an XMPP connection: reopened by the other within 10 s, the room rejoined, chat both ways again', async () => {
    const api = await start('api');
    const w1 = await start('worker');
    const w2 = await start('worker');
    const room = `lounge@${xmppd.muc}`;

    // the other party: a plain client in the room
    const omar = client({ service: `xmpp://${xmppd.host}:${xmppd.port}`, domain: xmppd.domain, username: 'omar', password: 'omarpass', resource: 'plain' });
    const seen: Element[] = [];
    omar.on('stanza', (s: Element) => seen.push(s));
    omar.on('error', () => undefined);
    await omar.start();
    stops.push(async () => { omar.reconnect.stop(); await omar.stop(); });
    await omar.send(xml('presence', { to: `${room}/omar` }, xml('x', { xmlns: 'http://jabber.org/protocol/muc' })));
    await eventually(() => seen.find((s) => s.is('presence') && s.attrs.from === `${room}/omar`), 5000, 20);

    const token = await openSession(api.url);
    const actor = { id: `hana@${xmppd.domain}`, type: 'person' };
    await ok(api.url, SET, { p: 'xmpp', a: actor.id, c: { userAddress: actor.id, password: 'hanapass', resource: 'hub', server: xmppd.host, port: xmppd.port } }, token);
    const ws = wsClient(api.wsUrl, token);
    stops.push(() => ws.dispose());
    const feed = collect<{ activities: any }>(ws, 'subscription { activities(platform: "xmpp") { type actor { id } object { type content } } }');
    const input = (rest: Record<string, unknown> = {}) => ({ input: { platform: 'xmpp', actor, ...rest } });
    await ok(api.url, mutation('connect'), input(), token);
    await ok(api.url, mutation('join'), input({ target: { id: room, type: 'room', name: 'hana' } }), token);
    await eventually(() => seen.find((s) => s.is('presence') && s.attrs.from === `${room}/hana` && s.attrs.type !== 'unavailable'), 5000, 20);

    const owner = await connectionOwner(prefix, actor.id);
    expect([w1.id, w2.id]).toContain(owner);
    const [dying, survivor] = owner === w1.id ? [w1, w2] : [w2, w1];
    const mark = feed.items.length;
    const presenceMark = seen.length;
    const killedAt = Date.now();
    dying.proc.kill('SIGKILL');

    const after = () => feed.items.slice(mark).map((i) => i.activities);
    await eventually(() => after().find((a) => a.type === 'disconnect' && a.actor.id === actor.id), 15_000, 50);
    await eventually(() => after().find((a) => a.type === 'connect' && a.actor.id === actor.id), 15_000, 50);
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    const types = after().filter((a) => a.type === 'connect' || a.type === 'disconnect').map((a) => a.type);
    expect(types.slice(0, 2)).toEqual(['disconnect', 'connect']);
    expect(await connectionOwner(prefix, actor.id)).toBe(survivor.id);
    // back in the room (from the saved state), and the room hears her again
    await eventually(() => seen.slice(presenceMark).find((s) => s.is('presence') && s.attrs.from === `${room}/hana` && s.attrs.type !== 'unavailable'), 10_000, 20);
    const sent = await gql(api.url, mutation('send'), input({ target: { id: room, type: 'room' }, object: { type: 'message', content: 'back after the crash' } }), token);
    expect(sent.errors).toBeUndefined();
    await eventually(() => seen.find((s) => s.is('message') && s.getChildText('body') === 'back after the crash'), 5000, 20);
    await omar.send(xml('message', { to: room, type: 'groupchat' }, xml('body', {}, 'welcome back')));
    await eventually(() => after().find((a) => a.object?.content === 'welcome back'), 5000, 20);
  }, 60_000);
});
