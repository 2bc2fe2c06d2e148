// The XMPP platform through the public GraphQL API, against a real Prosody, with plain
// @xmpp/client users on the other side.
import { client, xml } from '@xmpp/client';
import fc from 'fast-check';
import { connect as tcpConnect, createServer, type Socket } from 'node:net';
import type { Element } from '@xmpp/xml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropPrefix, startHubgraph, type Hubgraph } from '../../test/support/hubgraph.js';
import { collect, errorCode, eventually, gql, ok, openSession, verb, wsClient } from '../../test/support/client.js';
import { threadKiller } from '../../test/support/thread-killer.js';
import { startProsody, stopAllProsody, type Prosody } from '../../test/support/prosody.js';
import { makeTestCa, type TestCa } from '../../test/support/test-ca.js';
import { MARGIN_S } from './history.js';
import { countInboundStanzas } from './sm-acks.js';

const SET = 'mutation($p: String!, $a: String!, $c: JSON!) { setCredentials(platform: $p, actor: $a, credentials: $c) }';
const FIELDS = 'type actor { id type name } target { id type } object { type content json } published';
const USERS = ['alice', 'bob', 'carol', 'dave', 'rita', 'rex', 'crashy', 'witness', 'twin', 'o1', 'o2', 'o3', 'o4', 'o5', 'speaker', 'keeper', 'teller', 'napper', 'nudger'];

let xmppd: Prosody;
let hub: Hubgraph;
const peers: Peer[] = [];
const closers: (() => Promise<void>)[] = [];

interface Peer {
  jid: string;
  x: ReturnType<typeof client>;
  stanzas: Element[];
  /** waits for a stanza matching pred that arrived after index `from` */
  waitFor(pred: (s: Element) => boolean, what: string, from?: number, timeoutMs?: number): Promise<Element>;
  send(el: Element): Promise<void>;
  stop(): Promise<void>;
}

/** A plain @xmpp/client user (not hubgraph), online with an initial presence. */
async function peer(on: Prosody, user: string, resource = 'plain'): Promise<Peer> {
  const x = client({ service: `xmpp://${on.host}:${on.port}`, domain: on.domain, username: user, password: `${user}pass`, resource });
  // the same stream-management workaround as the platform's: the peer must not be the flaky part
  countInboundStanzas(x);
  // what happened to the peer's own connection, for the failure messages
  const events: string[] = [];
  x.on('error', (e: Error) => events.push(`${new Date().toISOString()} error ${e.message}`));
  x.on('disconnect', (e: unknown) => events.push(`${new Date().toISOString()} disconnect ${JSON.stringify(e)}`));
  const stanzas: Element[] = [];
  x.on('stanza', (s: Element) => {
    stanzas.push(s);
    // accept every subscription request, like a friendly client
    if (s.is('presence') && s.attrs.type === 'subscribe' && (p as { autoAccept?: boolean }).autoAccept) void x.send(xml('presence', { to: s.attrs.from, type: 'subscribed' }));
  });
  await x.start();
  // a client that wants subscription answers asks for its roster first (RFC 6121 §2.2: "interested resources")
  await x.iqCaller.get(xml('query', { xmlns: 'jabber:iq:roster' }));
  await x.send(xml('presence'));
  const p: Peer = {
    jid: `${user}@${on.domain}`,
    x,
    stanzas,
    async waitFor(pred, what, from = 0, timeoutMs = 5000) {
      try {
        return await eventually(() => stanzas.slice(from).find(pred), timeoutMs, 20);
      } catch {
        throw new Error(`${user} never got ${what}; got:\n${stanzas.slice(from).map(String).join('\n')}\nits connection: ${events.join('; ') || 'no errors, no disconnect'}\nserver log:\n${on.log().slice(-3000)}`);
      }
    },
    async send(el) {
      try {
        await x.send(el);
      } catch (err) {
        // the outside client lost its own connection: say what happened to it, with the server's log
        throw new Error(`${user} could not send (${(err as Error).message}); its connection: ${events.join('; ') || 'no errors, no disconnect'}\nserver log:\n${on.log().slice(-3000)}`);
      }
    },
    async stop() {
      x.reconnect.stop();
      await x.stop().catch(() => undefined);
    },
  };
  peers.push(p);
  return p;
}

/** A hubgraph session of its own (token, credentials, subscription), not yet connected. */
async function session(h: Hubgraph, on: Prosody, user: string, creds: Record<string, unknown> = {}) {
  const t = await openSession(h.url);
  const actor = { id: `${user}@${on.domain}`, type: 'person' };
  await ok(h.url, SET, { p: 'xmpp', a: actor.id, c: { userAddress: actor.id, password: `${user}pass`, resource: 'hub', server: on.host, port: on.port, ...creds } }, t);
  const c = wsClient(h.wsUrl, t);
  const events = collect<{ activities: any }>(c, `subscription { activities(platform: "xmpp") { ${FIELDS} } }`);
  const run = (name: string, rest: Record<string, unknown> = {}, fields = 'type object { id type content json }') =>
    gql(h.url, verb(name, fields), { input: { platform: 'xmpp', actor, ...rest } }, t);
  const acts = () => events.items.map((i) => i.activities);
  const saw = async (pred: (a: any) => boolean, what: string, timeoutMs = 5000, from = 0) => {
    try {
      return await eventually(() => acts().slice(from).find(pred), timeoutMs, 20);
    } catch {
      throw new Error(`${user}'s subscriber never saw ${what}; got:\n${acts().map((a) => JSON.stringify(a)).join('\n')}`);
    }
  };
  const s = { t, actor, c, events, run, acts, saw };
  closers.push(async () => { await run('disconnect').catch(() => undefined); await c.dispose(); });
  return s;
}

/** A session of `user` in room `name`, and a plain peer there that asked for no history; `say` sends the room a message with an id made of its text. */
async function inRoomWithPeer(h: Hubgraph, user: string, name: string, peerUser: string) {
  const room = `${name}@${xmppd.muc}`;
  const s = await session(h, xmppd, user);
  expect((await s.run('connect')).errors).toBeUndefined();
  expect((await s.run('join', { target: { id: room, type: 'room' } })).errors).toBeUndefined();
  const other = await peer(xmppd, peerUser);
  await other.send(xml('presence', { to: `${room}/${peerUser}` }, xml('x', { xmlns: 'http://jabber.org/protocol/muc' }, xml('history', { maxstanzas: '0' }))));
  await other.waitFor((p) => p.is('presence') && p.attrs.from === `${room}/${user}`, `${user} in the room`);
  const say = (body: string) => other.send(xml('message', { to: room, type: 'groupchat', id: `id-${body.replace(/\W/g, '-')}` }, xml('body', {}, body)));
  return { room, s, peer: other, say };
}

beforeAll(async () => {
  [xmppd, hub] = await Promise.all([
    startProsody({ accounts: Object.fromEntries(USERS.map((u) => [u, `${u}pass`])) }),
    startHubgraph({ env: { HUBGRAPH_PLATFORMS: 'xmpp' } }),
  ]);
});

afterAll(async () => {
  for (const close of closers) await close().catch(() => undefined);
  for (const p of peers) await p.stop();
  await hub?.stop();
  if (hub) await dropPrefix(hub.prefix);
  await stopAllProsody();
});

describe('XMPP platform', () => {
  let alice: Awaited<ReturnType<typeof session>>;
  let bob: Peer;
  const room = () => ({ id: `lobby@${xmppd.muc}`, type: 'room' });

  it('describes itself and checks credentials and the actor against them', async () => {
    const t = await openSession(hub.url);
    const d = await ok(hub.url, '{ platforms { id verbs persistent credentialsSchema } }', undefined, t);
    const x = d.platforms.find((p: any) => p.id === 'xmpp');
    expect(x).toMatchObject({ persistent: true, verbs: ['connect', 'disconnect', 'join', 'leave', 'send', 'update', 'query', 'requestFriend', 'removeFriend', 'makeFriend'] });
    expect(x.credentialsSchema.required).toEqual(['userAddress', 'password', 'resource']);
    for (const c of [
      { userAddress: 'alice@localhost/res', password: 'p', resource: 'r' },
      { userAddress: 'no-domain', password: 'p', resource: 'r' },
      { userAddress: 'alice@localhost', password: 'p' },
      { userAddress: 'alice@localhost', password: 'p', resource: 'r', extra: 1 },
    ]) {
      const bad = await gql(hub.url, SET, { p: 'xmpp', a: 'alice@localhost', c }, t);
      expect(errorCode(bad), JSON.stringify(c)).toBe('BAD_USER_INPUT');
    }
    await ok(hub.url, SET, { p: 'xmpp', a: 'someone@localhost', c: { userAddress: `carol@${xmppd.domain}`, password: 'carolpass', resource: 'r', server: xmppd.host, port: xmppd.port } }, t);
    const r = await gql(hub.url, verb('connect', 'type'), { input: { platform: 'xmpp', actor: { id: 'someone@localhost', type: 'person' } } }, t);
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
    expect(r.errors?.[0]?.message).toContain(`carol@${xmppd.domain}`);
  });

  it('fails connect with the server\'s SASL reason when the password is wrong', async () => {
    const s = await session(hub, xmppd, 'carol', { password: 'wrong' });
    const r = await s.run('connect');
    expect(errorCode(r)).toBe('PLATFORM_ERROR');
    expect(r.errors?.[0]?.message).toMatch(/refused the login of carol@localhost: not-authorized/);
  });

  it('fails connect with PLATFORM_ERROR when nothing listens', async () => {
    const s = await session(hub, xmppd, 'carol', { port: 1 });
    const r = await s.run('connect');
    expect(errorCode(r)).toBe('PLATFORM_ERROR');
    expect(r.errors?.[0]?.message).toMatch(/could not connect to 127\.0\.0\.1:1: .*ECONNREFUSED/);
  });

  it('fails connect at once when the server hangs up while it logs in', async () => {
    const rude = createServer((sock) => sock.end('<?xml version="1.0"?><stream:stream xmlns="jabber:client" xmlns:stream="http://etherx.jabber.org/streams" version="1.0">'));
    await new Promise<void>((r) => rude.listen(0, '127.0.0.1', () => r()));
    try {
      const s = await session(hub, xmppd, 'carol', { port: (rude.address() as { port: number }).port });
      const started = Date.now();
      const r = await s.run('connect');
      expect(errorCode(r)).toBe('PLATFORM_ERROR');
      expect(Date.now() - started).toBeLessThan(8000);
    } finally {
      rude.close();
    }
  });

  it('connects once online, and makes friends both ways with a plain client', async () => {
    bob = await peer(xmppd, 'bob');
    alice = await session(hub, xmppd, 'alice');
    const c = await alice.run('connect', {}, 'type actor { id }');
    expect(c.errors).toBeUndefined();
    expect(c.data?.connect).toMatchObject({ type: 'connect', actor: { id: 'alice@localhost' } });
    // alice asks, bob accepts and asks back, alice accepts
    let from = bob.stanzas.length;
    expect((await alice.run('requestFriend', { target: { id: bob.jid, type: 'person' } })).errors).toBeUndefined();
    await bob.waitFor((s) => s.is('presence') && s.attrs.type === 'subscribe' && s.attrs.from === 'alice@localhost', 'the subscription request', from);
    await bob.send(xml('presence', { to: 'alice@localhost', type: 'subscribed' }));
    await alice.saw((a) => a.type === 'make-friend' && a.actor.id === bob.jid, "bob's acceptance");
    await bob.send(xml('presence', { to: 'alice@localhost', type: 'subscribe' }, xml('nick', { xmlns: 'http://jabber.org/protocol/nick' }, 'Bob the Builder')));
    const req = await alice.saw((a) => a.type === 'request-friend' && a.actor.id === bob.jid, "bob's request");
    expect(req.target).toEqual({ id: 'alice@localhost', type: 'person' });
    expect(req.actor.name).toBe('Bob the Builder');
    from = bob.stanzas.length;
    expect((await alice.run('makeFriend', { target: { id: bob.jid, type: 'person' } })).errors).toBeUndefined();
    await bob.waitFor((s) => s.is('presence') && s.attrs.type === 'subscribed' && s.attrs.from === 'alice@localhost', 'the acceptance', from);
    // the roster follows (pushes), and bob's presence now reaches alice
    await alice.saw((a) => a.type === 'update' && a.object?.type === 'contact' && a.object.json.subscription === 'both', 'the roster push with subscription both');
    await bob.send(xml('presence', {}, xml('show', {}, 'dnd'), xml('status', {}, 'busy coding')));
    const p = await alice.saw((a) => a.type === 'update' && a.object?.type === 'presence' && a.object.json.presence === 'dnd', "bob's presence");
    expect(p).toMatchObject({ actor: { id: bob.jid, type: 'person' }, target: { id: 'alice@localhost' }, object: { content: 'busy coding', json: expect.objectContaining({ resource: 'plain' }) } });
  });

  it("shows a contact's vCard nickname and avatar when its presence says it changed", async () => {
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==';
    await bob.x.iqCaller.set(xml('vCard', { xmlns: 'vcard-temp' }, xml('NICKNAME', {}, 'Bobby B'), xml('PHOTO', {}, xml('TYPE', {}, 'image/png'), xml('BINVAL', {}, png))));
    await bob.send(xml('presence'));
    const p = await alice.saw((a) => a.type === 'update' && a.object?.type === 'profile' && a.object.json.icon, "bob's profile");
    expect(p).toMatchObject({ actor: { id: bob.jid, name: 'Bobby B' }, target: { id: 'alice@localhost' } });
    expect(p.object.json).toMatchObject({ name: 'Bobby B', icon: { type: 'Image', mediaType: 'image/png', url: `data:image/png;base64,${png}` } });
  });

  it('sends chat messages and corrections, and receives them with chat states', async () => {
    let from = bob.stanzas.length;
    const sent = await alice.run('send', { target: { id: bob.jid, type: 'person' }, object: { type: 'message', content: 'hello bob' } });
    expect(sent.errors).toBeUndefined();
    const id = sent.data?.send.object.id;
    expect(id).toMatch(/\S{8,}/);
    const m = await bob.waitFor((s) => s.is('message') && s.getChildText('body') === 'hello bob', 'the message', from);
    expect(m.attrs).toMatchObject({ type: 'chat', from: 'alice@localhost/hub', id });
    from = bob.stanzas.length;
    expect((await alice.run('send', { target: { id: bob.jid, type: 'person' }, object: { type: 'message', content: 'hello, bob', extra: { replace: id } } })).errors).toBeUndefined();
    const fix = await bob.waitFor((s) => s.is('message') && s.getChildText('body') === 'hello, bob', 'the correction', from);
    expect(fix.getChild('replace', 'urn:xmpp:message-correct:0')?.attrs.id).toBe(id);
    // a chat state alone
    from = bob.stanzas.length;
    expect((await alice.run('send', { target: { id: bob.jid, type: 'person' }, object: { type: 'chat-state', content: 'composing' } })).errors).toBeUndefined();
    await bob.waitFor((s) => s.is('message') && !!s.getChild('composing', 'http://jabber.org/protocol/chatstates'), 'the chat state', from);

    await bob.send(xml('message', { to: 'alice@localhost', type: 'chat' }, xml('composing', { xmlns: 'http://jabber.org/protocol/chatstates' })));
    const typing = await alice.saw((a) => a.type === 'update' && a.object?.type === 'chat-state', "bob's typing");
    expect(typing).toMatchObject({ actor: { id: bob.jid }, object: { content: 'composing' } });
    await bob.send(xml('message', { to: 'alice@localhost', type: 'chat', id: 'b-1' }, xml('body', {}, 'hi alcie')));
    await bob.send(xml('message', { to: 'alice@localhost', type: 'chat', id: 'b-2' }, xml('body', {}, 'hi alice'), xml('replace', { xmlns: 'urn:xmpp:message-correct:0', id: 'b-1' })));
    const first = await alice.saw((a) => a.type === 'send' && a.object?.content === 'hi alcie', "bob's message");
    expect(first).toMatchObject({ actor: { id: bob.jid, type: 'person' }, target: { id: 'alice@localhost', type: 'person' }, object: { type: 'message', json: expect.objectContaining({ id: 'b-1' }) } });
    const corrected = await alice.saw((a) => a.type === 'send' && a.object?.content === 'hi alice', "bob's correction");
    expect(corrected.object.json).toMatchObject({ id: 'b-2', replace: 'b-1' });
  });

  it('tells the server its presence: away with a status, offline, online again', async () => {
    let from = bob.stanzas.length;
    expect((await alice.run('update', { object: { type: 'presence', content: 'at lunch', extra: { presence: 'away' } } })).errors).toBeUndefined();
    const away = await bob.waitFor((s) => s.is('presence') && s.attrs.from === 'alice@localhost/hub' && s.getChildText('show') === 'away', 'the away presence', from);
    expect(away.getChildText('status')).toBe('at lunch');
    from = bob.stanzas.length;
    expect((await alice.run('update', { object: { type: 'presence', extra: { presence: 'offline' } } })).errors).toBeUndefined();
    await bob.waitFor((s) => s.is('presence') && s.attrs.from === 'alice@localhost/hub' && s.attrs.type === 'unavailable', 'the unavailable presence', from);
    from = bob.stanzas.length;
    expect((await alice.run('update', { object: { type: 'presence', extra: { presence: 'online' } } })).errors).toBeUndefined();
    const back = await bob.waitFor((s) => s.is('presence') && s.attrs.from === 'alice@localhost/hub' && !s.attrs.type, 'the available presence', from);
    expect(back.getChild('show')).toBeUndefined();
    const bad = await alice.run('update', { object: { type: 'presence', extra: { presence: 'sleeping' } } });
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
  });

  it('joins a room with a nick: occupants with roles, history with its time, the subject', async () => {
    const lobby = `lobby@${xmppd.muc}`;
    let from = bob.stanzas.length;
    await bob.send(xml('presence', { to: `${lobby}/bobby` }, xml('x', { xmlns: 'http://jabber.org/protocol/muc' })));
    await bob.waitFor((s) => s.is('presence') && s.attrs.from === `${lobby}/bobby`, 'its own room presence', from);
    await bob.send(xml('message', { to: lobby, type: 'groupchat' }, xml('subject', {}, 'welcome to the lobby')));
    await bob.send(xml('message', { to: lobby, type: 'groupchat', id: 'hist-1' }, xml('body', {}, 'said before alice came')));
    await bob.waitFor((s) => s.is('message') && s.getChildText('body') === 'said before alice came', 'its own message', from);

    from = bob.stanzas.length;
    const j = await alice.run('join', { actor: { id: 'alice@localhost', type: 'person', name: 'Alice A' }, target: room() });
    expect(j.errors).toBeUndefined();
    await bob.waitFor((s) => s.is('presence') && s.attrs.from === `${lobby}/Alice A`, "alice's arrival", from);
    const owner = await alice.saw((a) => a.type === 'join' && a.actor.id === `${lobby}/bobby`, 'bob already in the room');
    expect(owner).toMatchObject({ actor: { type: 'person', name: 'bobby' }, target: room(), object: { type: 'presence', json: expect.objectContaining({ role: 'moderator', affiliation: 'owner', presence: 'online' }) } });
    const self = await alice.saw((a) => a.type === 'join' && a.actor.id === `${lobby}/Alice A`, 'itself');
    expect(self.object.json).toMatchObject({ role: 'participant', affiliation: 'none' });
    const history = await alice.saw((a) => a.type === 'send' && a.object?.content === 'said before alice came', 'the history');
    expect(history).toMatchObject({ actor: { id: `${lobby}/bobby`, name: 'bobby' }, target: room(), object: { json: expect.objectContaining({ id: 'hist-1' }) } });
    expect(Date.parse(history.published)).toBeLessThan(Date.now());
    const topic = await alice.saw((a) => a.type === 'update' && a.object?.type === 'topic', 'the subject');
    expect(topic).toMatchObject({ actor: { id: `${lobby}/bobby` }, target: room(), object: { content: 'welcome to the lobby' } });
  });

  it('talks in the room: groupchat both ways, corrections, subject changes, others coming and going', async () => {
    const lobby = `lobby@${xmppd.muc}`;
    let from = bob.stanzas.length;
    const sent = await alice.run('send', { target: room(), object: { type: 'message', content: 'hi room' } });
    expect(sent.errors).toBeUndefined();
    const m = await bob.waitFor((s) => s.is('message') && s.getChildText('body') === 'hi room', 'the groupchat message', from);
    expect(m.attrs).toMatchObject({ type: 'groupchat', from: `${lobby}/Alice A`, id: sent.data?.send.object.id });
    // the room's reflection of its own message arrives like anyone's
    await alice.saw((a) => a.type === 'send' && a.object?.content === 'hi room' && a.actor.id === `${lobby}/Alice A`, 'the reflection');
    from = bob.stanzas.length;
    await alice.run('send', { target: room(), object: { type: 'message', content: 'hi room!', extra: { replace: sent.data?.send.object.id } } });
    const fix = await bob.waitFor((s) => s.is('message') && s.getChildText('body') === 'hi room!', 'the groupchat correction', from);
    expect(fix.getChild('replace', 'urn:xmpp:message-correct:0')?.attrs.id).toBe(sent.data?.send.object.id);

    // a private message through the room, both ways: the occupant JIDs stand for the people
    from = bob.stanzas.length;
    expect((await alice.run('send', { target: { id: `${lobby}/bobby`, type: 'person' }, object: { type: 'message', content: 'just us' } })).errors).toBeUndefined();
    const pm = await bob.waitFor((s) => s.is('message') && s.getChildText('body') === 'just us', 'the private message', from);
    expect(pm.attrs).toMatchObject({ type: 'chat', from: `${lobby}/Alice A` });
    await bob.send(xml('message', { to: `${lobby}/Alice A`, type: 'chat' }, xml('body', {}, 'psst')));
    const back = await alice.saw((a) => a.type === 'send' && a.object?.content === 'psst', 'the private reply');
    expect(back).toMatchObject({ actor: { id: `${lobby}/bobby`, name: 'bobby' }, target: { id: 'alice@localhost' } });
    // our presence reaches the rooms we are in, and the room tells us about our own
    from = bob.stanzas.length;
    expect((await alice.run('update', { object: { type: 'presence', content: 'brb', extra: { presence: 'away' } } })).errors).toBeUndefined();
    const inRoom = await bob.waitFor((s) => s.is('presence') && s.attrs.from === `${lobby}/Alice A` && s.getChildText('show') === 'away', 'the room presence', from);
    expect(inRoom.getChildText('status')).toBe('brb');
    await alice.saw((a) => a.type === 'update' && a.actor.id === `${lobby}/Alice A` && a.object?.json?.presence === 'away', 'its own room presence');
    expect((await alice.run('update', { object: { type: 'presence', extra: { presence: 'online' } } })).errors).toBeUndefined();

    await bob.send(xml('message', { to: lobby, type: 'groupchat', id: 'g-1' }, xml('body', {}, 'hello alice')));
    const g = await alice.saw((a) => a.type === 'send' && a.object?.content === 'hello alice', "bob's groupchat");
    expect(g).toMatchObject({ actor: { id: `${lobby}/bobby`, type: 'person', name: 'bobby' }, target: room() });
    await bob.send(xml('message', { to: lobby, type: 'groupchat' }, xml('subject', {}, 'new subject')));
    await alice.saw((a) => a.type === 'update' && a.object?.type === 'topic' && a.object.content === 'new subject', 'the subject change');

    const dave = await peer(xmppd, 'dave');
    await dave.send(xml('presence', { to: `${lobby}/dave` }, xml('x', { xmlns: 'http://jabber.org/protocol/muc' })));
    const dj = await alice.saw((a) => a.type === 'join' && a.actor.id === `${lobby}/dave`, "dave's join");
    expect(dj.object.json).toMatchObject({ role: 'participant', affiliation: 'none' });
    // the owner makes dave a moderator: a role change is an update
    await bob.send(xml('iq', { to: lobby, type: 'set', id: 'mod1' }, xml('query', { xmlns: 'http://jabber.org/protocol/muc#admin' }, xml('item', { nick: 'dave', role: 'moderator' }))));
    const up = await alice.saw((a) => a.type === 'update' && a.actor.id === `${lobby}/dave` && a.object?.json?.role === 'moderator', "dave's new role");
    expect(up.target).toEqual(room());
    await dave.send(xml('presence', { to: `${lobby}/davey` }));
    const nick = await alice.saw((a) => a.type === 'update' && a.object?.type === 'address', "dave's nick change");
    expect(nick).toMatchObject({ actor: { id: `${lobby}/dave` }, target: { id: `${lobby}/davey` } });
    await dave.send(xml('presence', { to: `${lobby}/davey`, type: 'unavailable' }, xml('status', {}, 'bye all')));
    const left = await alice.saw((a) => a.type === 'leave' && a.actor.id === `${lobby}/davey`, "dave's leave");
    expect(left).toMatchObject({ target: room(), object: { type: 'message', content: 'bye all' } });
    // back, and kicked by the owner
    await dave.send(xml('presence', { to: `${lobby}/dave` }, xml('x', { xmlns: 'http://jabber.org/protocol/muc' })));
    await alice.saw((a) => a.type === 'join' && a.actor.id === `${lobby}/dave` && alice.acts().indexOf(a) > alice.acts().indexOf(left), "dave's return");
    await bob.send(xml('iq', { to: lobby, type: 'set', id: 'kick1' }, xml('query', { xmlns: 'http://jabber.org/protocol/muc#admin' }, xml('item', { nick: 'dave', role: 'none' }, xml('reason', {}, 'behave')))));
    const kicked = await alice.saw((a) => a.type === 'leave' && a.object?.type === 'kick', "dave's kick");
    expect(kicked).toMatchObject({ actor: { id: `${lobby}/dave` }, target: room(), object: { content: 'behave' } });
  });

  it('hears room invitations, mediated by the room and direct', async () => {
    // bob is in the lobby (so the room relays his invitation)
    await bob.send(xml('message', { to: `lobby@${xmppd.muc}` }, xml('x', { xmlns: 'http://jabber.org/protocol/muc#user' }, xml('invite', { to: 'alice@localhost' }, xml('reason', {}, 'come in')))));
    const viaRoom = await alice.saw((a) => a.type === 'invite' && a.object?.content === 'come in', 'the mediated invitation');
    // the room hides real JIDs from participants: the inviter is named by its occupant JID
    expect(viaRoom).toMatchObject({ actor: { id: `lobby@${xmppd.muc}/bobby` }, target: { id: 'alice@localhost' }, object: { type: 'room', json: expect.objectContaining({ id: `lobby@${xmppd.muc}` }) } });
    await bob.send(xml('message', { to: 'alice@localhost' }, xml('x', { xmlns: 'jabber:x:conference', jid: `direct@${xmppd.muc}`, reason: 'over here', password: 'pw' })));
    const direct = await alice.saw((a) => a.type === 'invite' && a.object?.content === 'over here', 'the direct invitation');
    expect(direct).toMatchObject({ actor: { id: bob.jid }, object: { type: 'room', json: expect.objectContaining({ id: `direct@${xmppd.muc}`, password: 'pw' }) } });
  });

  it('changes its nick in a room, and fails when the nick is taken', async () => {
    const lobby = `lobby@${xmppd.muc}`;
    let from = bob.stanzas.length;
    expect((await alice.run('update', { target: { id: `${lobby}/Alice B`, type: 'person' }, object: { type: 'address' } })).errors).toBeUndefined();
    await bob.waitFor((s) => s.is('presence') && s.attrs.from === `${lobby}/Alice B` && !s.attrs.type, 'the new nick', from);
    const own = await alice.saw((a) => a.type === 'update' && a.object?.type === 'address' && a.actor.id === `${lobby}/Alice A`, 'its own nick change');
    expect(own.target.id).toBe(`${lobby}/Alice B`);
    const taken = await alice.run('update', { target: { id: `${lobby}/bobby`, type: 'person' }, object: { type: 'address' } });
    expect(errorCode(taken)).toBe('PLATFORM_ERROR');
    expect(taken.errors?.[0]?.message).toMatch(/conflict/);
    // back to the first nick, which the later tests use
    from = bob.stanzas.length;
    expect((await alice.run('update', { target: { id: `${lobby}/Alice A`, type: 'person' }, object: { type: 'address' } })).errors).toBeUndefined();
    await bob.waitFor((s) => s.is('presence') && s.attrs.from === `${lobby}/Alice A` && !s.attrs.type, 'the first nick again', from);
  });

  it('answers attendance and room-info queries', async () => {
    const lobby = `lobby@${xmppd.muc}`;
    const r = await alice.run('query', { target: room(), object: { type: 'attendance' } });
    expect(r.errors).toBeUndefined();
    const members = r.data?.query.object.json.members.map((m: any) => `${m.id}:${m.role}:${m.affiliation}`).sort();
    expect(members).toEqual([`${lobby}/Alice A:participant:none`, `${lobby}/bobby:moderator:owner`]);
    const info = await alice.run('query', { target: room(), object: { type: 'room-info' } });
    expect(info.errors).toBeUndefined();
    expect(info.data?.query.object.json).toMatchObject({ type: 'room-info', identities: [expect.objectContaining({ category: 'conference' })] });
    expect(info.data?.query.object.json.features).toContain('http://jabber.org/protocol/muc');
    // a room it is not in: disco#items of the room
    await bob.send(xml('presence', { to: `other@${xmppd.muc}/bobby` }, xml('x', { xmlns: 'http://jabber.org/protocol/muc' })));
    await bob.waitFor((s) => s.is('presence') && s.attrs.from === `other@${xmppd.muc}/bobby`, 'the other room');
    // a room it is not in: the room's disco#items (Prosody 0.12 lists no occupants there) and disco#info
    const away = await alice.run('query', { target: { id: `other@${xmppd.muc}`, type: 'room' }, object: { type: 'attendance' } });
    expect(away.errors).toBeUndefined();
    expect(away.data?.query.object.json).toMatchObject({ type: 'attendance', members: [] });
    const otherInfo = await alice.run('query', { target: { id: `other@${xmppd.muc}`, type: 'room' }, object: { type: 'room-info' } });
    expect(otherInfo.data?.query.object.json.fields['muc#roominfo_occupants']).toBe('1');
  });

  it('reports what the server refuses as errors naming the verb, and fails the verb that waits', async () => {
    const lobby = `lobby@${xmppd.muc}`;
    // a participant may not change the subject (Prosody's default)
    const t = await alice.run('update', { target: room(), object: { type: 'topic', content: 'mine now' } });
    expect(errorCode(t)).toBe('PLATFORM_ERROR');
    expect(t.errors?.[0]?.message).toMatch(/update failed .*forbidden/);
    await alice.saw((a) => a.type === 'error' && a.object?.json?.verb === 'update' && a.object.json.condition === 'forbidden', 'the subject error');
    // a nick already taken in a room
    const j = await alice.run('join', { actor: { id: 'alice@localhost', type: 'person', name: 'bobby' }, target: { id: `other@${xmppd.muc}`, type: 'room' } });
    expect(errorCode(j)).toBe('PLATFORM_ERROR');
    expect(j.errors?.[0]?.message).toMatch(/join failed .*conflict/);
    const e = await alice.saw((a) => a.type === 'error' && a.object?.json?.verb === 'join', 'the join error');
    expect(e.target).toEqual({ id: `other@${xmppd.muc}`, type: 'room' });
    // a message to nobody: written, then bounced
    const s = await alice.run('send', { target: { id: 'nobody@localhost', type: 'person' }, object: { type: 'message', content: 'anyone?' } });
    expect(s.errors).toBeUndefined();
    const bounce = await alice.saw((a) => a.type === 'error' && a.object?.json?.verb === 'send', 'the send error');
    expect(bounce.object.json).toMatchObject({ id: s.data?.send.object.id, condition: 'service-unavailable' });
    // bad input never reaches the server
    for (const bad of [
      { target: { id: 'not a jid', type: 'person' }, object: { type: 'message', content: 'x' } },
      { target: { id: bob.jid, type: 'person' }, object: { type: 'message', content: 'bell \u0007' } },
      { target: { id: bob.jid, type: 'person' }, object: { type: 'video', content: 'x' } },
      { target: { id: bob.jid, type: 'person' }, object: { type: 'chat-state', content: 'yelling' } },
    ]) expect(errorCode(await alice.run('send', bad)), JSON.stringify(bad)).toBe('BAD_USER_INPUT');
    expect(errorCode(await alice.run('leave', { target: { id: `never@${xmppd.muc}`, type: 'room' } }))).toBe('BAD_USER_INPUT');
    // a join of something that is not a room fails at once instead of waiting for an answer that never comes
    const notRoom = await alice.run('join', { target: { id: bob.jid, type: 'room' } });
    expect(errorCode(notRoom)).toBe('BAD_USER_INPUT');
    expect(notRoom.errors?.[0]?.message).toMatch(/localhost is not a chat room service/);
    void lobby;
  });

  it('a second resource of the account is a connection of its own, and gets the roster on connect', async () => {
    const second = await session(hub, xmppd, 'alice', { resource: 'phone' });
    expect((await second.run('connect')).errors).toBeUndefined();
    const contact = await second.saw((a) => a.type === 'update' && a.object?.type === 'contact', 'the roster');
    expect(contact).toMatchObject({ actor: { id: bob.jid }, object: { json: expect.objectContaining({ subscription: 'both', groups: [] }) } });
    const from = bob.stanzas.length;
    await bob.send(xml('message', { to: 'alice@localhost/phone', type: 'chat' }, xml('body', {}, 'to the phone')));
    const direct = await second.saw((a) => a.type === 'send' && a.object?.content === 'to the phone', 'the message to its resource');
    expect(direct.object.json.carbon).toBeUndefined();
    await bob.waitFor((s) => s.is('presence') && s.attrs.from === 'alice@localhost/phone', 'the second resource online', 0);
    // the first resource gets a carbon copy (XEP-0280), marked as such, and of what the phone sends too
    const copy = await alice.saw((a) => a.type === 'send' && a.object?.content === 'to the phone', 'the carbon of the message');
    expect(copy).toMatchObject({ actor: { id: bob.jid }, target: { id: 'alice@localhost' }, object: { json: expect.objectContaining({ carbon: 'received' }) } });
    expect((await second.run('send', { target: { id: bob.jid, type: 'person' }, object: { type: 'message', content: 'from the phone' } })).errors).toBeUndefined();
    const sentCopy = await alice.saw((a) => a.type === 'send' && a.object?.content === 'from the phone', 'the carbon of the sent message');
    expect(sentCopy).toMatchObject({ actor: { id: 'alice@localhost' }, target: { id: bob.jid }, object: { json: expect.objectContaining({ carbon: 'sent' }) } });
    await new Promise((r) => setTimeout(r, 300));
    expect(second.acts().filter((a) => a.object?.content === 'to the phone')).toHaveLength(1);
    // the first resource still works on its own connection
    await alice.run('send', { target: { id: bob.jid, type: 'person' }, object: { type: 'message', content: 'from hub' } });
    const m = await bob.waitFor((s) => s.is('message') && s.getChildText('body') === 'from hub', 'the first resource\'s message', from);
    expect(m.attrs.from).toBe('alice@localhost/hub');
    expect((await second.run('disconnect')).errors).toBeUndefined();
    await bob.waitFor((s) => s.is('presence') && s.attrs.from === 'alice@localhost/phone' && s.attrs.type === 'unavailable', 'the second resource gone', from);
  });

  it('removes a friend, and hears when a contact removes it', async () => {
    const from = bob.stanzas.length;
    expect((await alice.run('removeFriend', { target: { id: bob.jid, type: 'person' } })).errors).toBeUndefined();
    await bob.waitFor((s) => s.is('presence') && s.attrs.type === 'unsubscribe' && s.attrs.from === 'alice@localhost', 'the unsubscribe', from);
    await alice.saw((a) => a.type === 'update' && a.object?.type === 'contact' && a.object.json.subscription === 'remove', 'the roster removal');
    // bob asks again, then changes his mind
    await bob.send(xml('presence', { to: 'alice@localhost', type: 'subscribe' }));
    await bob.send(xml('presence', { to: 'alice@localhost', type: 'unsubscribe' }));
    const r = await alice.saw((a) => a.type === 'remove-friend' && a.actor.id === bob.jid, "bob's removal");
    expect(r.object.json.subscription).toBe('unsubscribe');
  });

  it('leaves the room and disconnects', async () => {
    const lobby = `lobby@${xmppd.muc}`;
    let from = bob.stanzas.length;
    expect((await alice.run('leave', { target: room() })).errors).toBeUndefined();
    await bob.waitFor((s) => s.is('presence') && s.attrs.from === `${lobby}/Alice A` && s.attrs.type === 'unavailable', "alice's leave", from);
    await alice.saw((a) => a.type === 'leave' && a.actor.id === `${lobby}/Alice A`, 'its own leave');
    from = bob.stanzas.length;
    await bob.send(xml('presence', { to: 'alice@localhost', type: 'subscribe' }));
    await alice.saw((a) => a.type === 'request-friend' && a.actor.id === bob.jid, 'a request');
    expect((await alice.run('disconnect', {}, 'type')).errors).toBeUndefined();
    expect(errorCode(await alice.run('send', { target: { id: bob.jid, type: 'person' }, object: { type: 'message', content: 'gone' } }))).toBeTruthy();
  });
});

describe('XMPP platform and bad input', () => {
  it('answers any input with data or an error code, never a crash or a hang, and stays usable', async () => {
    const s = await session(hub, xmppd, 'carol');
    expect((await s.run('connect')).errors).toBeUndefined();
    const codes = new Set(['BAD_USER_INPUT', 'PLATFORM_ERROR']);
    const jidish = fc.oneof(
      fc.string(),
      fc.string({ unit: 'binary', maxLength: 40 }),
      fc.tuple(fc.string({ maxLength: 12 }), fc.constantFrom('localhost', xmppd.muc, 'nowhere.invalid', ''), fc.string({ maxLength: 8 })).map(([l, d, r]) => `${l}@${d}${r ? `/${r}` : ''}`),
    );
    const input = fc.record({
      verb: fc.constantFrom('send', 'join', 'leave', 'update', 'query', 'requestFriend', 'makeFriend', 'removeFriend'),
      target: fc.option(fc.record({ id: jidish, type: fc.constantFrom('person', 'room', 'x') }), { nil: undefined }),
      object: fc.option(fc.record({
        type: fc.constantFrom('message', 'chat-state', 'presence', 'topic', 'attendance', 'room-info', 'nonsense'),
        content: fc.option(fc.string({ unit: 'binary', maxLength: 60 }), { nil: undefined }),
        extra: fc.option(fc.record({ presence: fc.string({ maxLength: 8 }), replace: fc.string({ maxLength: 8 }), password: fc.string({ maxLength: 8 }) }, { requiredKeys: [] }), { nil: undefined }),
      }), { nil: undefined }),
    });
    await fc.assert(fc.asyncProperty(input, async ({ verb: v, target, object }) => {
      const r = await s.run(v, { ...(target ? { target } : {}), ...(object ? { object } : {}) });
      if (r.errors) expect(codes, JSON.stringify(r.errors)).toContain(errorCode(r));
    }), { numRuns: 60 });
    // what it sent is text, never markup; and the connection is still up
    const carol = await peer(xmppd, 'carol', 'fuzz');
    const from = carol.stanzas.length;
    const tricky = `</body><presence type='unavailable'/><body>&amp; "quotes" \u{1F600}`;
    expect((await s.run('send', { target: { id: 'carol@localhost/fuzz', type: 'person' }, object: { type: 'message', content: tricky } })).errors).toBeUndefined();
    const m = await carol.waitFor((x) => x.is('message') && !!x.getChild('body'), 'the tricky message', from);
    expect(m.getChildText('body')).toBe(tricky);
    expect(s.acts().filter((a) => a.type === 'disconnect')).toEqual([]);
  }, 60_000);
});

describe('XMPP connections: sharing, five occupants, restarts', () => {
  it('keeps two sessions with different credentials for one JID apart', async () => {
    const first = await session(hub, xmppd, 'twin');
    const wrong = await session(hub, xmppd, 'twin', { password: 'not the same' });
    const same = await session(hub, xmppd, 'twin');
    expect((await first.run('connect')).errors).toBeUndefined();
    // a different password never attaches to the first's connection: it opens its own, and fails
    const r = await wrong.run('connect');
    expect(errorCode(r)).toBe('PLATFORM_ERROR');
    expect(r.errors?.[0]?.message).toMatch(/not-authorized/);
    // identical credentials share it: no second login (which would take over the resource)
    expect((await same.run('connect')).errors).toBeUndefined();
    const carol = await peer(xmppd, 'carol');
    await carol.send(xml('message', { to: 'twin@localhost/hub', type: 'chat' }, xml('body', {}, 'for the twins')));
    await first.saw((a) => a.type === 'send' && a.object?.content === 'for the twins', 'the message');
    await same.saw((a) => a.type === 'send' && a.object?.content === 'for the twins', 'the message, shared');
    await new Promise((r) => setTimeout(r, 300));
    expect(wrong.acts().filter((a) => a.type === 'send')).toEqual([]);
    expect(errorCode(await wrong.run('send', { target: { id: carol.jid, type: 'person' }, object: { type: 'message', content: 'hijack' } }))).toBeTruthy();
    expect(first.acts().filter((a) => a.type === 'disconnect')).toEqual([]);
    // another client taking the same resource ends the connection for good: no reconnect fight
    const usurper = await peer(xmppd, 'twin', 'hub');
    const d = await first.saw((a) => a.type === 'disconnect', 'the disconnect');
    expect(d.object.content).toMatch(/another client logged in as twin@localhost\/hub/);
    await new Promise((r) => setTimeout(r, 1500));
    expect(first.acts().filter((a) => a.type === 'connect')).toEqual([]);
    expect(errorCode(await first.run('send', { target: { id: carol.jid, type: 'person' }, object: { type: 'message', content: 'still?' } }))).toBeTruthy();
    await usurper.stop();
  });

  it('5 sessions in one room each receive a message exactly once', async () => {
    const five = `five@${xmppd.muc}`;
    const all = await Promise.all(['o1', 'o2', 'o3', 'o4', 'o5'].map((u) => session(hub, xmppd, u)));
    await Promise.all(all.map(async (s) => {
      expect((await s.run('connect')).errors).toBeUndefined();
      expect((await s.run('join', { target: { id: five, type: 'room' } })).errors).toBeUndefined();
    }));
    const speaker = await peer(xmppd, 'speaker');
    await speaker.send(xml('presence', { to: `${five}/speaker` }, xml('x', { xmlns: 'http://jabber.org/protocol/muc' }, xml('history', { maxstanzas: '0' }))));
    await speaker.waitFor((s) => s.is('presence') && s.attrs.from === `${five}/speaker`, 'its join');
    await speaker.send(xml('message', { to: five, type: 'groupchat' }, xml('body', {}, 'once each')));
    for (const s of all) await s.saw((a) => a.type === 'send' && a.object?.content === 'once each', 'the message');
    await new Promise((r) => setTimeout(r, 500));
    for (const s of all) {
      const got = s.acts().filter((a) => a.type === 'send' && a.object?.content === 'once each');
      expect(got).toHaveLength(1);
      expect(got[0]).toMatchObject({ actor: { id: `${five}/speaker` }, target: { id: five, type: 'room' } });
    }
  });

  it('resumes its stream after a network cut (XEP-0198): still in its rooms, nothing lost meanwhile', async () => {
    // a TCP proxy in front of Prosody whose connections the test can cut, as a network would
    const pairs = new Set<Socket>();
    const proxy = createServer((sock) => {
      const up = tcpConnect(xmppd.port, xmppd.host);
      pairs.add(sock).add(up);
      sock.pipe(up).pipe(sock);
      const drop = () => { sock.destroy(); up.destroy(); pairs.delete(sock); pairs.delete(up); };
      sock.on('error', drop).on('close', drop);
      up.on('error', drop).on('close', drop);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
    try {
      const cutRoom = `cut@${xmppd.muc}`;
      const s = await session(hub, xmppd, 'rex', { port: (proxy.address() as { port: number }).port });
      expect((await s.run('connect')).errors).toBeUndefined();
      expect((await s.run('join', { target: { id: cutRoom, type: 'room' } })).errors).toBeUndefined();
      const speaker = await peer(xmppd, 'speaker', 'cut');
      await speaker.send(xml('presence', { to: `${cutRoom}/speaker` }, xml('x', { xmlns: 'http://jabber.org/protocol/muc' }, xml('history', { maxstanzas: '0' }))));
      await speaker.waitFor((p) => p.is('presence') && p.attrs.from === `${cutRoom}/rex`, 'rex in the room');
      const before = s.acts().length;
      for (const sock of pairs) sock.destroy();
      await s.saw((a) => a.type === 'disconnect', 'the disconnect', 5000, before);
      // said while rex is away: the server keeps it for the resumed stream
      await speaker.send(xml('message', { to: cutRoom, type: 'groupchat' }, xml('body', {}, 'while you were out')));
      const back = await s.saw((a) => a.type === 'connect', 'the reconnect', 15_000, before);
      expect(back.object.content).toMatch(/stream resumed/);
      await s.saw((a) => a.type === 'send' && a.object?.content === 'while you were out', 'the message sent during the cut', 5000, before);
      await new Promise((r) => setTimeout(r, 300));
      expect(s.acts().slice(before).filter((a) => a.object?.content === 'while you were out')).toHaveLength(1);
      // no rejoin was needed: no new join of its own, and the room still delivers
      expect(s.acts().slice(before).filter((a) => a.type === 'join' && a.actor.id === `${cutRoom}/rex`)).toEqual([]);
      await speaker.send(xml('message', { to: cutRoom, type: 'groupchat' }, xml('body', {}, 'and now')));
      await s.saw((a) => a.type === 'send' && a.object?.content === 'and now', 'a message after the resumption', 5000, before);
      await speaker.stop();
    } finally {
      for (const sock of pairs) sock.destroy();
      proxy.close();
    }
  }, 30_000);

  it('creates a room on a server that locks new rooms, and unlocks it so others can join', async () => {
    const locking = await startProsody({ accounts: { rita: 'ritapass', rex: 'rexpass' }, roomLocking: true });
    try {
      const fresh = `fresh@${locking.muc}`;
      const s = await session(hub, locking, 'rita');
      expect((await s.run('connect')).errors).toBeUndefined();
      expect((await s.run('join', { target: { id: fresh, type: 'room' } })).errors).toBeUndefined();
      const self = await s.saw((a) => a.type === 'join' && a.actor.id === `${fresh}/rita`, 'its own join');
      expect(self.object.json).toMatchObject({ role: 'moderator', affiliation: 'owner' });
      const rex = await peer(locking, 'rex');
      await rex.send(xml('presence', { to: `${fresh}/rex` }, xml('x', { xmlns: 'http://jabber.org/protocol/muc' })));
      const answer = await rex.waitFor((p) => p.is('presence') && p.attrs.from === `${fresh}/rex`, "rex's own presence in the room (not an error)");
      expect(answer.attrs.type).toBeUndefined();
      await s.saw((a) => a.type === 'join' && a.actor.id === `${fresh}/rex`, "rex's join");
      await s.run('disconnect');
      await rex.stop();
    } finally {
      await locking.stop();
    }
  }, 30_000);

  it('offline and online again: back in its rooms with what was said meanwhile, and nothing twice', async () => {
    const { room: napRoom, s, peer: nudger, say } = await inRoomWithPeer(hub, 'napper', 'nap', 'nudger');
    await say('before the nap');
    await s.saw((a) => a.type === 'send' && a.object?.content === 'before the nap', 'the message before');
    const from = nudger.stanzas.length;
    expect((await s.run('update', { object: { type: 'presence', extra: { presence: 'offline' } } })).errors).toBeUndefined();
    await nudger.waitFor((p) => p.is('presence') && p.attrs.from === `${napRoom}/napper` && p.attrs.type === 'unavailable', 'napper gone', from);
    await say('during the nap');
    expect((await s.run('update', { object: { type: 'presence', extra: { presence: 'online' } } })).errors).toBeUndefined();
    await say('after the nap');
    await s.saw((a) => a.type === 'send' && a.object?.content === 'after the nap', 'the message after');
    await s.saw((a) => a.type === 'send' && a.object?.content === 'during the nap', 'the message during the nap');
    await new Promise((r) => setTimeout(r, 300));
    const said = s.acts().filter((a) => a.type === 'send' && a.target?.id === napRoom).map((a) => a.object.content);
    expect(said).toEqual(['before the nap', 'during the nap', 'after the nap']);
  });

  it('reconnects with backoff after the server restarts, rejoins its rooms, and works again', async () => {
    const other = await startProsody({ accounts: { rita: 'ritapass', rex: 'rexpass', pat: 'patpass' } });
    const back = `back@${other.muc}`;
    const s = await session(hub, other, 'rita');
    expect((await s.run('connect')).errors).toBeUndefined();
    // pat's password is changed (in-band, XEP-0077) while it is connected: its reconnect cannot log in
    const pat = await session(hub, other, 'pat');
    expect((await pat.run('connect')).errors).toBeUndefined();
    const patWeb = await peer(other, 'pat', 'web');
    await patWeb.x.iqCaller.set(xml('query', { xmlns: 'jabber:iq:register' }, xml('username', {}, 'pat'), xml('password', {}, 'changed')));
    await patWeb.stop();
    expect((await s.run('join', { target: { id: back, type: 'room' } })).errors).toBeUndefined();
    const before = s.acts().length;
    const lostAt = Date.now();
    await other.restart();
    await s.saw((a) => a.type === 'disconnect', 'the disconnect', 5000, before);
    const again = await s.saw((a) => a.type === 'connect', 'the reconnect', 15_000, before);
    expect(again.actor.id).toBe(`rita@${other.domain}`);
    expect(Date.now() - lostAt).toBeLessThan(12_000);
    const types = s.acts().slice(before).map((a) => a.type);
    expect(types.indexOf('disconnect')).toBeLessThan(types.indexOf('connect'));
    // rejoined before announcing connect
    const rejoined = s.acts().slice(before).findIndex((a) => a.type === 'join' && a.actor.id === `${back}/rita`);
    expect(rejoined).toBeGreaterThanOrEqual(0);
    expect(rejoined).toBeLessThan(types.indexOf('connect'));
    const rex = await peer(other, 'rex');
    await rex.send(xml('presence', { to: `${back}/rex` }, xml('x', { xmlns: 'http://jabber.org/protocol/muc' })));
    await rex.waitFor((p) => p.is('presence') && p.attrs.from === `${back}/rita`, 'rita in the room');
    await rex.send(xml('message', { to: back, type: 'groupchat' }, xml('body', {}, 'welcome back')));
    await s.saw((a) => a.type === 'send' && a.object?.content === 'welcome back', 'the message after the restart');
    // pat gave up at once, saying why: the password will not become right by itself
    const gaveUp = await pat.saw((a) => a.type === 'disconnect' && /not reconnecting/.test(a.object?.content), "pat's end");
    expect(gaveUp.object.content).toMatch(/refused the login of pat@localhost: not-authorized/);
    expect(errorCode(await pat.run('send', { target: { id: `rex@${other.domain}`, type: 'person' }, object: { type: 'message', content: 'x' } }))).toBeTruthy();
    const from = rex.stanzas.length;
    expect((await s.run('send', { target: { id: back, type: 'room' }, object: { type: 'message', content: 'glad to be back' } })).errors).toBeUndefined();
    await rex.waitFor((m) => m.is('message') && m.getChildText('body') === 'glad to be back', 'its message', from);
    await s.run('disconnect');
    await rex.stop();
    await other.stop();
  }, 40_000);
});

describe('XMPP session after a crash of its thread', () => {
  let shared: Hubgraph;
  // one session thread, so the XMPP session shares the thread the dummy crashes
  beforeAll(async () => { shared = await startHubgraph({ env: { HUBGRAPH_PLATFORMS: 'xmpp,dummy', HUBGRAPH_SESSION_THREADS: '1', HUBGRAPH_HEARTBEAT: '200' } }); });
  afterAll(async () => { await shared?.stop(); if (shared) await dropPrefix(shared.prefix); });

  it('comes back in its rooms, with its presence, when the supervisor reopens it with what it saved', async () => {
    const crashRoom = `crashy@${xmppd.muc}`;
    const s = await session(shared, xmppd, 'crashy');
    expect((await s.run('connect')).errors).toBeUndefined();
    expect((await s.run('update', { object: { type: 'presence', content: 'still here', extra: { presence: 'xa' } } })).errors).toBeUndefined();
    expect((await s.run('join', { target: { id: crashRoom, type: 'room' } })).errors).toBeUndefined();
    const witness = await peer(xmppd, 'witness');
    await witness.send(xml('presence', { to: `${crashRoom}/witness` }, xml('x', { xmlns: 'http://jabber.org/protocol/muc' })));
    await witness.waitFor((p) => p.is('presence') && p.attrs.from === `${crashRoom}/crashy`, 'crashy in the room');
    const crashThread = await threadKiller(shared.url, 'boom');
    const before = s.acts().length;
    const from = witness.stanzas.length;
    await crashThread();
    await s.saw((a) => a.type === 'connect', 'the reopened connection', 15_000, before);
    const types = s.acts().slice(before).map((a) => a.type);
    expect(types.indexOf('disconnect')).toBeGreaterThanOrEqual(0);
    expect(types.indexOf('disconnect')).toBeLessThan(types.indexOf('connect'));
    // the new connection rejoined the room the old one had saved, with the saved presence
    const rejoin = await witness.waitFor((p) => p.is('presence') && p.attrs.from === `${crashRoom}/crashy` && !p.attrs.type, 'the rejoin', from, 10_000);
    expect(rejoin.getChildText('show')).toBe('xa');
    await witness.send(xml('message', { to: crashRoom, type: 'groupchat' }, xml('body', {}, 'still there?')));
    await s.saw((a) => a.type === 'send' && a.object?.content === 'still there?', 'the message after the crash');
  }, 40_000);

  it('after the reopen, gets the room messages said while it was down, and none it had already, once each', async () => {
    const { room: keepRoom, s, peer: teller, say } = await inRoomWithPeer(shared, 'keeper', 'keeper', 'teller');
    // one message older than the margin a rejoin asks for (history.ts MARGIN_S): only `since` keeps it out
    await say('long before');
    await s.saw((a) => a.type === 'send' && a.object?.content === 'long before', 'the first message');
    await new Promise((r) => setTimeout(r, (MARGIN_S + 1.2) * 1000));
    for (const body of ['before 1', 'before 2']) await say(body);
    await s.saw((a) => a.type === 'send' && a.object?.content === 'before 2', 'the messages before the crash');
    const crashThread = await threadKiller(shared.url, 'boom2');
    const before = s.acts().length;
    const from = teller.stanzas.length;
    await crashThread();
    // said once the session's thread is gone (the host has announced it): only the room's history can bring these
    await s.saw((a) => a.type === 'disconnect', 'the end of the thread', 10_000, before);
    for (const body of ['while down 1', 'while down 2']) await say(body);
    await s.saw((a) => a.type === 'connect', 'the reopened connection', 15_000, before);
    const rejoined = await teller.waitFor((p) => p.is('presence') && p.attrs.from === `${keepRoom}/keeper` && !p.attrs.type, 'the rejoin', from, 10_000);
    // the premise: both were in the room before the rejoin (the room reflected them to teller first)
    const reflected = teller.stanzas.findIndex((m, i) => i >= from && m.is('message') && m.getChildText('body') === 'while down 2');
    expect(reflected).toBeGreaterThanOrEqual(0);
    expect(reflected).toBeLessThan(teller.stanzas.indexOf(rejoined));
    await say('after');
    await s.saw((a) => a.type === 'send' && a.object?.content === 'after', 'the message after the rejoin', 10_000, before);
    await s.saw((a) => a.type === 'send' && a.object?.content === 'while down 2', 'what was said while it was down', 5000, before);
    await new Promise((r) => setTimeout(r, 500));
    const said = s.acts().filter((a) => a.type === 'send' && a.target?.id === keepRoom).map((a) => a.object.content);
    expect(said).toEqual(['long before', 'before 1', 'before 2', 'while down 1', 'while down 2', 'after']);
    const history = s.acts().slice(before).filter((a) => a.type === 'send' && /while down/.test(a.object.content));
    for (const h of history) expect(Date.parse(h.published)).toBeLessThan(Date.now());
  }, 40_000);
});

describe('XMPP over STARTTLS, the certificate checked against the JID domain', () => {
  // Prosody requires encryption, with certificates from a CA made for this test; the platform has
  // no setting of its own for a CA: the process trusts one through Node's NODE_EXTRA_CA_CERTS
  let ca: TestCa;
  let secure: Prosody;
  let misnamed: Prosody;
  let trusting: Hubgraph;
  beforeAll(async () => {
    ca = makeTestCa();
    const accounts = { tlsuser: 'tlsuserpass' };
    [secure, misnamed, trusting] = await Promise.all([
      startProsody({ accounts, tls: ca.issue('localhost', ['localhost']), requireEncryption: true }),
      startProsody({ accounts, tls: ca.issue('elsewhere', ['elsewhere.test']), requireEncryption: true }),
      startHubgraph({ env: { HUBGRAPH_PLATFORMS: 'xmpp', NODE_EXTRA_CA_CERTS: ca.caCert } }),
    ]);
  });
  afterAll(async () => {
    await trusting?.stop();
    if (trusting) await dropPrefix(trusting.prefix);
    await secure?.stop();
    await misnamed?.stop();
    ca?.remove();
  });

  it('logs in over STARTTLS when the certificate names the domain and comes from a CA the process trusts', async () => {
    const s = await session(trusting, secure, 'tlsuser');
    expect((await s.run('connect')).errors).toBeUndefined();
    // the server refuses unencrypted clients, and says the stream was encrypted
    expect(secure.log()).toMatch(/Stream encrypted \(TLSv1\.[23]/);
    expect((await s.run('send', { target: { id: `tlsuser@${secure.domain}`, type: 'person' }, object: { type: 'message', content: 'to myself, encrypted' } })).errors).toBeUndefined();
    await s.saw((a) => a.type === 'send' && a.object?.content === 'to myself, encrypted', 'its own message');
  });

  it('refuses a certificate from a CA the process does not trust', async () => {
    const s = await session(hub, secure, 'tlsuser');
    const r = await s.run('connect');
    expect(errorCode(r)).toBe('PLATFORM_ERROR');
    expect(r.errors?.[0]?.message).toMatch(/unable to verify the first certificate/);
  });

  it('refuses a trusted certificate for another name than the JID domain', async () => {
    const s = await session(trusting, misnamed, 'tlsuser');
    const r = await s.run('connect');
    expect(errorCode(r)).toBe('PLATFORM_ERROR');
    expect(r.errors?.[0]?.message).toMatch(/does not match certificate's altnames.*elsewhere\.test/);
  });
});

describe('XMPP platform behind the address guard', () => {
  let guarded: Hubgraph;
  beforeAll(async () => { guarded = await startHubgraph({ env: { HUBGRAPH_PLATFORMS: 'xmpp', HUBGRAPH_ALLOW_PRIVATE_ADDRESSES: '0' } }); });
  afterAll(async () => { await guarded?.stop(); if (guarded) await dropPrefix(guarded.prefix); });

  it('refuses to connect to a loopback address, given as an IP or as a name, with FORBIDDEN_ADDRESS', async () => {
    for (const server of ['127.0.0.1', 'localhost']) {
      const s = await session(guarded, xmppd, 'carol', { server });
      const r = await s.run('connect');
      expect(errorCode(r), server).toBe('FORBIDDEN_ADDRESS');
    }
  });
});
