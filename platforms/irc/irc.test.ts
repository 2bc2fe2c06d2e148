// The IRC platform through the public GraphQL API, against a real ngircd, with an outside user on
// the other side who speaks raw IRC over a socket.
import { readFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { createServer as createTlsServer, type Server as TlsServer } from 'node:tls';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../../src/config.js';
import { dropPrefix, startHubgraph, type Hubgraph } from '../../test/support/hubgraph.js';
import { collect, errorCode, eventually, gql, ok, openSession, verb, wsClient, type Collected } from '../../test/support/client.js';
import { threadKiller } from '../../test/support/thread-killer.js';
import { startNgircd, stopAllIrc, type Ngircd } from '../../test/support/ngircd.js';
import { connectRawIrc, type RawIrc } from '../../test/support/raw-irc.js';

// a self-signed certificate for "localhost" (test only), trusted by the hubgraph under test
const CERT = fileURLToPath(new URL('./fixtures/localhost.crt', import.meta.url));
const KEY = fileURLToPath(new URL('./fixtures/localhost.key', import.meta.url));
const SET = 'mutation($p: String!, $a: String!, $c: JSON!) { setCredentials(platform: $p, actor: $a, credentials: $c) }';
/** HUBGRAPH_IRC_FLOOD's default: a burst of 5 lines, then 2 a second */
const PACED = '5:2';
const FIELDS = 'type actor { id type name } target { id type } object { type content json } published';

let ircd: Ngircd;
let hub: Hubgraph;
let token: string;
let server: string;
let outsider: RawIrc;
let feed: Collected<{ activities: any }>;
let ws: ReturnType<typeof wsClient>;
const clients: RawIrc[] = [];

const me = () => ({ id: `alice@${server}`, type: 'person' });
const chan = () => ({ id: `#lobby@${server}`, type: 'room' });
const input = (rest: Record<string, unknown> = {}) => ({ input: { platform: 'irc', actor: me(), ...rest } });

/** Waits until the subscriber has an activity matching `pred`, and returns it. */
async function seen(pred: (a: any) => boolean, what: string, timeoutMs = 5000): Promise<any> {
  try {
    return await eventually(() => feed.items.map((i) => i.activities).find(pred), timeoutMs, 20);
  } catch {
    throw new Error(`subscriber never saw ${what}; got:\n${feed.items.map((i) => JSON.stringify(i.activities)).join('\n')}`);
  }
}

async function raw(nick: string): Promise<RawIrc> {
  const c = await connectRawIrc(ircd.host, ircd.port, nick);
  clients.push(c);
  return c;
}

beforeAll(async () => {
  // no pacing to speak of (tests that write many lines do not wait for it), except for the server
  // named "localhost": the flood control tests reach their ngircd by that name, at the default rate
  [ircd, hub] = await Promise.all([startNgircd(), startHubgraph({ env: { HUBGRAPH_PLATFORMS: 'irc', NODE_EXTRA_CA_CERTS: CERT, HUBGRAPH_IRC_FLOOD: `100:1000,localhost=${PACED}` } })]);
  server = ircd.host;
  token = await openSession(hub.url);
  await ok(hub.url, SET, { p: 'irc', a: `alice@${server}`, c: { nick: 'alice', server, port: ircd.port, secure: false } }, token);
  outsider = await raw('outsider');
  await outsider.join('#lobby'); // first in: channel operator
  ws = wsClient(hub.wsUrl, token);
  feed = collect(ws, `subscription { activities(platform: "irc") { ${FIELDS} } }`);
});

afterAll(async () => {
  for (const c of clients) c.close();
  await ws?.dispose();
  await hub?.stop();
  if (hub) await dropPrefix(hub.prefix);
  await stopAllIrc();
});

describe('IRC platform', () => {
  it('describes itself and checks credentials against its schema', async () => {
    const d = await ok(hub.url, '{ platforms { id verbs persistent credentialsSchema } }', undefined, token);
    const irc = d.platforms.find((p: any) => p.id === 'irc');
    expect(irc).toMatchObject({ persistent: true, verbs: ['connect', 'disconnect', 'join', 'leave', 'send', 'update', 'query'] });
    expect(irc.credentialsSchema.required).toEqual(['nick', 'server']);
    expect(Object.keys(irc.credentialsSchema.properties).sort()).toEqual(['nick', 'password', 'port', 'realname', 'sasl', 'secure', 'server', 'username']);
    const bad = await gql(hub.url, SET, { p: 'irc', a: `bad@${server}`, c: { nick: 'has space', server } }, token);
    expect(errorCode(bad)).toBe('BAD_USER_INPUT');
    expect(bad.errors?.[0]?.message).toContain('nick');
    const extra = await gql(hub.url, SET, { p: 'irc', a: `bad@${server}`, c: { nick: 'ok', server, channels: ['#x'] } }, token);
    expect(errorCode(extra)).toBe('BAD_USER_INPUT');
    // the actor id is nick@server: another id is refused when connecting
    const t = await openSession(hub.url);
    await ok(hub.url, SET, { p: 'irc', a: `someone@${server}`, c: { nick: 'dave', server, port: ircd.port, secure: false } }, t);
    const r = await gql(hub.url, verb('connect', 'type'), { input: { platform: 'irc', actor: { id: `someone@${server}`, type: 'person' } } }, t);
    expect(errorCode(r)).toBe('BAD_USER_INPUT');
    expect(r.errors?.[0]?.message).toContain(`dave@${server}`);
  });

  it('connects once registered, shows the MOTD, and joins a channel with the members and their roles', async () => {
    const from = outsider.lines.length;
    const c = await ok(hub.url, verb('connect', 'type actor { id }'), input(), token);
    expect(c.connect).toMatchObject({ type: 'connect', actor: { id: `alice@${server}` } });
    const motd = await seen((a) => a.type === 'update' && a.object?.type === 'motd', 'the MOTD');
    expect(motd).toMatchObject({ actor: { id: server, type: 'service' }, object: { content: expect.stringContaining('test server') } });

    await ok(hub.url, verb('join', 'type'), input({ target: chan() }), token);
    await outsider.waitFor(/^:alice!\S+ JOIN :?#lobby$/, 5000, { from });
    const joined = await seen((a) => a.type === 'join' && a.actor.id === `alice@${server}`, 'its own join');
    expect(joined.target).toEqual(chan());
    const op = await seen((a) => a.type === 'update' && a.object?.type === 'presence' && a.actor.id === `outsider@${server}`, 'the operator in NAMES');
    expect(op).toMatchObject({ target: chan(), object: { json: expect.objectContaining({ presence: 'online', role: 'operator', modes: ['o'] }) } });
    const self = await seen((a) => a.type === 'update' && a.object?.type === 'presence' && a.actor.id === `alice@${server}`, 'itself in NAMES');
    expect(self.object.json.role).toBe('member');
  });

  it('sends a message, an action and a notice to the channel, and a private message', async () => {
    const from = outsider.lines.length;
    await ok(hub.url, verb('send', 'type'), input({ target: chan(), object: { type: 'message', content: 'hello lobby' } }), token);
    await outsider.waitFor(/^:alice!\S+ PRIVMSG #lobby :hello lobby$/, 5000, { from });
    await ok(hub.url, verb('send', 'type'), input({ target: chan(), object: { type: 'me', content: 'waves' } }), token);
    await outsider.waitFor(/^:alice!\S+ PRIVMSG #lobby :\x01ACTION waves\x01$/, 5000, { from });
    await ok(hub.url, verb('send', 'type'), input({ target: chan(), object: { type: 'message', content: '/me nods' } }), token);
    await outsider.waitFor(/^:alice!\S+ PRIVMSG #lobby :\x01ACTION nods\x01$/, 5000, { from });
    await ok(hub.url, verb('send', 'type'), input({ target: chan(), object: { type: 'notice', content: 'heads up' } }), token);
    await outsider.waitFor(/^:alice!\S+ NOTICE #lobby :heads up$/, 5000, { from });
    await ok(hub.url, verb('send', 'type'), input({ target: { id: `outsider@${server}`, type: 'person' }, object: { type: 'message', content: 'psst' } }), token);
    await outsider.waitFor(/^:alice!\S+ PRIVMSG outsider :psst$/, 5000, { from });
    // written is done; what the server then refuses arrives as an error activity naming the verb
    await ok(hub.url, verb('send', 'type'), input({ target: { id: `nobody@${server}`, type: 'person' }, object: { type: 'message', content: 'anyone?' } }), token);
    const e = await seen((a) => a.type === 'error' && a.object?.json?.verb === 'send', 'the send error');
    expect(e).toMatchObject({ actor: { id: `alice@${server}` }, target: { id: `nobody@${server}` }, object: { type: 'error', json: expect.objectContaining({ numeric: 401, subject: 'nobody' }) } });
    expect(e.object.content).toContain('send failed (nobody)');
  });

  it('splits a long message at the protocol limit without breaking UTF-8', async () => {
    const from = outsider.lines.length;
    const text = 'ä€😀'.repeat(150); // 9 bytes each: 1350 bytes, no spaces to break at
    await ok(hub.url, verb('send', 'type'), input({ target: chan(), object: { type: 'message', content: text } }), token);
    let got = '';
    await eventually(() => {
      got = outsider.lines.slice(from).filter((l) => / PRIVMSG #lobby :/.test(l)).map((l) => l.slice(l.indexOf(' :') + 2)).join('');
      return got.length >= text.length;
    }, 5000, 20);
    expect(got).toBe(text);
    const sent = outsider.lines.slice(from).filter((l) => / PRIVMSG #lobby :/.test(l));
    expect(sent.length).toBeGreaterThan(2);
    for (const l of sent) expect(Buffer.byteLength(`${l}\r\n`)).toBeLessThanOrEqual(512);
  });

  it('delivers what the outside user says: channel and private messages, actions and notices', async () => {
    outsider.privmsg('#lobby', 'hi alice');
    outsider.send('PRIVMSG #lobby :\x01ACTION smiles\x01');
    outsider.send('NOTICE #lobby :channel notice');
    outsider.privmsg('alice', 'just for you');
    const msg = await seen((a) => a.type === 'send' && a.object?.content === 'hi alice', 'the channel message');
    expect(msg).toMatchObject({ actor: { id: `outsider@${server}`, type: 'person', name: 'outsider' }, target: chan(), object: { type: 'message' } });
    const action = await seen((a) => a.type === 'send' && a.object?.type === 'me' && a.actor.id === `outsider@${server}`, 'the action');
    expect(action).toMatchObject({ actor: { id: `outsider@${server}` }, target: chan(), object: { content: 'smiles' } });
    const notice = await seen((a) => a.type === 'send' && a.object?.type === 'notice' && a.target?.type === 'room' && a.actor.id === `outsider@${server}`, 'the notice');
    expect(notice.object.content).toBe('channel notice');
    const pm = await seen((a) => a.type === 'send' && a.object?.content === 'just for you', 'the private message');
    expect(pm.target).toEqual({ id: `alice@${server}`, type: 'person' });
  });

  it('delivers joins, parts, kicks, quits, nick changes, topics and role changes of others', async () => {
    const bob = await raw('bob');
    await bob.join('#lobby');
    const j = await seen((a) => a.type === 'join' && a.actor.id === `bob@${server}`, "bob's join");
    expect(j.target).toEqual(chan());
    bob.send('NICK robert');
    const n = await seen((a) => a.type === 'update' && a.object?.type === 'address' && a.actor.id === `bob@${server}`, "bob's nick change");
    expect(n.target).toEqual({ id: `robert@${server}`, type: 'person' });
    outsider.send('TOPIC #lobby :the new topic');
    const t = await seen((a) => a.type === 'update' && a.object?.type === 'topic', 'the topic change');
    expect(t).toMatchObject({ actor: { id: `outsider@${server}` }, target: chan(), object: { content: 'the new topic' } });
    outsider.send('MODE #lobby +v robert');
    const v = await seen((a) => a.type === 'update' && a.object?.type === 'presence' && a.object.json.mode === '+v', 'the voice');
    expect(v).toMatchObject({ actor: { id: `robert@${server}` }, target: chan(), object: { json: expect.objectContaining({ role: 'voice', modes: ['v'], by: expect.objectContaining({ id: `outsider@${server}` }) }) } });
    bob.send('PART #lobby :see you');
    const p = await seen((a) => a.type === 'leave' && a.actor.id === `robert@${server}`, "robert's part");
    expect(p).toMatchObject({ target: chan(), object: { type: 'message', content: 'see you' } });
    const rejoin = async () => {
      const at = bob.lines.length;
      bob.send('JOIN #lobby'); // bob's raw client still thinks of itself as bob: wait by hand
      await bob.waitFor(/^:robert!\S+ JOIN :?#lobby$/, 5000, { from: at });
    };
    await rejoin();
    outsider.send('KICK #lobby robert :behave');
    const k = await seen((a) => a.type === 'leave' && a.object?.type === 'kick', 'the kick');
    expect(k).toMatchObject({ actor: { id: `robert@${server}` }, target: chan(), object: { content: 'behave', json: expect.objectContaining({ by: expect.objectContaining({ id: `outsider@${server}` }) }) } });
    await rejoin();
    await bob.quit('gone fishing');
    const q = await seen((a) => a.type === 'leave' && a.object?.type === 'quit', 'the quit');
    expect(q).toMatchObject({ actor: { id: `robert@${server}` }, target: { id: server, type: 'service' }, object: { content: expect.stringContaining('gone fishing') } });
  });

  it('answers an attendance query with each member and role', async () => {
    outsider.send('MODE #lobby +o alice');
    await seen((a) => a.type === 'update' && a.actor.id === `alice@${server}` && a.object?.json?.mode === '+o', 'its own op');
    const r = await ok(hub.url, verb('query', 'type object { type json }'), input({ target: chan(), object: { type: 'attendance' } }), token);
    expect(r.query.object.type).toBe('attendance');
    const members = r.query.object.json.members.map((m: any) => `${m.id}:${m.role}`).sort();
    expect(members).toEqual([`alice@${server}:operator`, `outsider@${server}:operator`]);
  });

  it('sets the topic and changes its nick, each confirmed by the server', async () => {
    const from = outsider.lines.length;
    await ok(hub.url, verb('update', 'type'), input({ target: chan(), object: { type: 'topic', content: 'set by alice' } }), token);
    await outsider.waitFor(/^:alice!\S+ TOPIC #lobby :set by alice$/, 5000, { from });
    await ok(hub.url, verb('update', 'type'), input({ target: { id: `alicia@${server}`, type: 'person' }, object: { type: 'address' } }), token);
    await outsider.waitFor(/^:alice!\S+ NICK :?alicia$/, 5000, { from });
    const n = await seen((a) => a.type === 'update' && a.object?.type === 'address' && a.actor.id === `alice@${server}`, 'its own nick change');
    expect(n.target.id).toBe(`alicia@${server}`);
    // the connection keeps the actor id of its credentials; messages now come from the new nick
    await ok(hub.url, verb('send', 'type'), input({ target: chan(), object: { type: 'message', content: 'renamed' } }), token);
    await outsider.waitFor(/^:alicia!\S+ PRIVMSG #lobby :renamed$/, 5000, { from });
    const taken = await gql(hub.url, verb('update', 'type'), input({ target: { id: `outsider@${server}`, type: 'person' }, object: { type: 'address' } }), token);
    expect(errorCode(taken)).toBe('PLATFORM_ERROR');
    expect(taken.errors?.[0]?.message).toContain('outsider');
    const e = await seen((a) => a.type === 'error' && a.object?.json?.verb === 'update', 'the nick error');
    expect(e.object.json).toMatchObject({ numeric: 433, subject: 'outsider' });
  });

  it('marks itself away and back', async () => {
    const whois = async () => {
      const at = outsider.lines.length;
      outsider.send('WHOIS alicia');
      await outsider.waitFor(/ 318 outsider alicia /, 5000, { from: at });
      return outsider.lines.slice(at).find((l) => / 301 outsider alicia /.test(l));
    };
    await ok(hub.url, verb('update', 'type'), input({ object: { type: 'presence', content: 'at lunch', extra: { presence: 'away' } } }), token);
    expect(await whois()).toMatch(/:at lunch$/);
    await ok(hub.url, verb('update', 'type'), input({ object: { type: 'presence', extra: { presence: 'online' } } }), token);
    expect(await whois()).toBeUndefined();
  });

  it('fails a join the server refuses, and says so to subscribers', async () => {
    await outsider.join('#closed');
    outsider.send('MODE #closed +i');
    await outsider.waitFor(/ MODE #closed \+i/);
    const r = await gql(hub.url, verb('join', 'type'), input({ target: { id: `#closed@${server}`, type: 'room' } }), token);
    expect(errorCode(r)).toBe('PLATFORM_ERROR');
    expect(r.errors?.[0]?.message).toMatch(/join failed \(#closed\).*473/);
    const e = await seen((a) => a.type === 'error' && a.object?.json?.verb === 'join', 'the join error');
    expect(e).toMatchObject({ target: { id: `#closed@${server}`, type: 'room' }, object: { type: 'error', json: expect.objectContaining({ numeric: 473 }) } });
  });

  it('refuses ids of another server and malformed targets before sending anything', async () => {
    const other = await gql(hub.url, verb('join', 'type'), input({ target: { id: '#lobby@irc.elsewhere.org', type: 'room' } }), token);
    expect(errorCode(other)).toBe('BAD_USER_INPUT');
    expect(other.errors?.[0]?.message).toContain(server);
    const noRoom = await gql(hub.url, verb('join', 'type'), input({ target: { id: `lobby@${server}`, type: 'room' } }), token);
    expect(errorCode(noRoom)).toBe('BAD_USER_INPUT');
    const noTarget = await gql(hub.url, verb('update', 'type'), input({ object: { type: 'topic', content: 'x' } }), token);
    expect(errorCode(noTarget)).toBe('BAD_USER_INPUT');
    expect(noTarget.errors?.[0]?.message).toContain('target');
  });

  it('leaves the channel and disconnects', async () => {
    const from = outsider.lines.length;
    await ok(hub.url, verb('leave', 'type'), input({ target: chan() }), token);
    await outsider.waitFor(/^:alicia!\S+ PART #lobby/, 5000, { from });
    await seen((a) => a.type === 'leave' && a.actor.id === `alicia@${server}` && a.target?.id === chan().id, 'its own part');
    await ok(hub.url, verb('disconnect', 'type'), input(), token);
    // no channel is shared any more, so no QUIT is relayed: ask the server who is online
    await eventually(async () => {
      const at = outsider.lines.length;
      outsider.send('ISON alicia');
      return / 303 outsider :$/.test(await outsider.waitFor(/ 303 outsider /, 2000, { from: at }));
    }, 5000, 100);
  });

  it('fails connect with an error naming the nick when it is taken', async () => {
    const t = await openSession(hub.url);
    await ok(hub.url, SET, { p: 'irc', a: `outsider@${server}`, c: { nick: 'outsider', server, port: ircd.port, secure: false } }, t);
    const started = Date.now();
    const r = await gql(hub.url, verb('connect', 'type'), { input: { platform: 'irc', actor: { id: `outsider@${server}`, type: 'person' } } }, t);
    expect(errorCode(r)).toBe('PLATFORM_ERROR');
    expect(r.errors?.[0]?.message).toMatch(/nick "outsider" is already in use/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('tells subscribers when the server goes away, and keeps trying until disconnected', async () => {
    const other = await startNgircd();
    const t = await openSession(hub.url);
    await ok(hub.url, SET, { p: 'irc', a: `carol@${other.host}`, c: { nick: 'carol', server: other.host, port: other.port, secure: false } }, t);
    const c = wsClient(hub.wsUrl, t);
    const events = collect<{ activities: any }>(c, `subscription { activities { ${FIELDS} } }`);
    await ok(hub.url, verb('connect', 'type'), { input: { platform: 'irc', actor: { id: `carol@${other.host}`, type: 'person' } } }, t);
    await other.stop();
    await eventually(() => events.items.some((i) => i.activities.type === 'disconnect'), 5000, 20);
    const d = events.items.map((i) => i.activities).find((a) => a.type === 'disconnect');
    expect(d.actor.id).toBe(`carol@${other.host}`);
    await ok(hub.url, verb('disconnect', 'type'), { input: { platform: 'irc', actor: { id: `carol@${other.host}`, type: 'person' } } }, t);
    await c.dispose();
  });

  it('fails connect with PLATFORM_ERROR when nothing listens', async () => {
    const t = await openSession(hub.url);
    await ok(hub.url, SET, { p: 'irc', a: `nobody@${server}`, c: { nick: 'nobody', server, port: 1, secure: false } }, t);
    const r = await gql(hub.url, verb('connect', 'type'), { input: { platform: 'irc', actor: { id: `nobody@${server}`, type: 'person' } } }, t);
    expect(errorCode(r)).toBe('PLATFORM_ERROR');
    expect(r.errors?.[0]?.message).toContain('could not connect');
  });
});

/** A session of its own (token, credentials, subscription) on `ircd`, connected. */
async function irrSession(on: { host: string; port: number }, nick: string, extra: Record<string, unknown> = {}, url = () => hub) {
  const h = url();
  const t = await openSession(h.url);
  const actor = { id: `${nick}@${on.host}`, type: 'person' };
  await ok(h.url, SET, { p: 'irc', a: actor.id, c: { nick, server: on.host, port: on.port, secure: false, ...extra } }, t);
  const c = wsClient(h.wsUrl, t);
  const events = collect<{ activities: any }>(c, `subscription { activities(platform: "irc") { ${FIELDS} } }`);
  const run = (name: string, rest: Record<string, unknown> = {}) => gql(h.url, verb(name, 'type'), { input: { platform: 'irc', actor, ...rest } }, t);
  const acts = () => events.items.map((i) => i.activities);
  const saw = async (pred: (a: any) => boolean, what: string, timeoutMs = 5000) => {
    try {
      return await eventually(() => acts().find(pred), timeoutMs, 20);
    } catch {
      throw new Error(`${nick}'s subscriber never saw ${what}; got:\n${acts().map((a) => JSON.stringify(a)).join('\n')}`);
    }
  };
  return { t, actor, c, events, run, acts, saw };
}

describe('IRC reconnect, flood control, shared and separate connections', () => {
  let other: Ngircd;
  beforeAll(async () => { other = await startNgircd(); });
  afterAll(async () => { await other?.stop(); });
  const rawOn = async (nick: string) => { const c = await connectRawIrc(other.host, other.port, nick); clients.push(c); return c; };
  const room = (name: string) => ({ id: `${name}@${other.host}`, type: 'room' });

  it('reconnects with backoff after the server restarts, rejoins its channels, and works again', async () => {
    const s = await irrSession(other, 'rita');
    expect((await s.run('connect')).errors).toBeUndefined();
    expect((await s.run('join', { target: room('#back') })).errors).toBeUndefined();
    await s.saw((a) => a.type === 'join' && a.actor.id === `rita@${other.host}`, 'its join');
    const before = s.acts().length;
    const lostAt = Date.now();
    await other.restart();
    await s.saw((a) => a.type === 'disconnect', 'the disconnect');
    const back = await s.saw((a) => a.type === 'connect', 'the reconnect', 10_000);
    expect(back.actor.id).toBe(`rita@${other.host}`);
    expect(Date.now() - lostAt).toBeLessThan(8000);
    const types = s.acts().slice(before).map((a) => a.type);
    expect(types.indexOf('disconnect')).toBeLessThan(types.indexOf('connect'));
    // rejoined before announcing connect
    expect(s.acts().slice(before).findIndex((a) => a.type === 'join' && a.actor.id === `rita@${other.host}`)).toBeLessThan(types.indexOf('connect'));
    const rex = await rawOn('rex');
    await rex.join('#back');
    rex.privmsg('#back', 'welcome back');
    await s.saw((a) => a.type === 'send' && a.object?.content === 'welcome back', 'the message after the restart');
    const from = rex.lines.length;
    expect((await s.run('send', { target: room('#back'), object: { type: 'message', content: 'glad to be back' } })).errors).toBeUndefined();
    await rex.waitFor(/^:rita!\S+ PRIVMSG #back :glad to be back$/, 5000, { from });
    await s.run('disconnect');
    await s.c.dispose();
  }, 30_000);

  it('paces a burst of sends at the rate set for the server (HUBGRAPH_IRC_FLOOD localhost=5:2): all arrive, in order, and the connection stays up', async () => {
    const s = await irrSession({ host: 'localhost', port: other.port }, 'fast');
    await s.run('connect');
    const flood = { id: '#flood@localhost', type: 'room' };
    expect((await s.run('join', { target: flood })).errors).toBeUndefined();
    const obs = await rawOn('watcher');
    await obs.join('#flood');
    const from = obs.lines.length;
    const started = Date.now();
    for (let i = 0; i < 20; i++) {
      const r = await s.run('send', { target: flood, object: { type: 'message', content: `line ${i}` } });
      expect(r.errors).toBeUndefined();
    }
    await eventually(() => obs.lines.slice(from).filter((l) => / PRIVMSG #flood :line /.test(l)).length >= 20, 20_000, 50);
    const got = obs.lines.slice(from).filter((l) => / PRIVMSG #flood :line /.test(l)).map((l) => Number(l.split(':line ')[1]));
    expect(got).toEqual(Array.from({ length: 20 }, (_, i) => i));
    // paced: a burst of 5, then 2 lines a second
    expect(Date.now() - started).toBeGreaterThan(6000);
    expect(s.acts().some((a) => a.type === 'disconnect')).toBe(false);
    await s.run('disconnect');
    await s.c.dispose();
  }, 30_000);

  it('writes a burst of sends at once at the rate set for other servers (HUBGRAPH_IRC_FLOOD 100:1000)', async () => {
    const s = await irrSession(other, 'quick');
    await s.run('connect');
    expect((await s.run('join', { target: room('#quick') })).errors).toBeUndefined();
    const obs = await rawOn('quickobs');
    await obs.join('#quick');
    const from = obs.lines.length;
    const started = Date.now();
    for (let i = 0; i < 20; i++) {
      const r = await s.run('send', { target: room('#quick'), object: { type: 'message', content: `line ${i}` } });
      expect(r.errors).toBeUndefined();
    }
    await eventually(() => obs.lines.slice(from).filter((l) => / PRIVMSG #quick :line /.test(l)).length >= 20, 20_000, 20);
    // at 5:2 the last would leave 7.5 s after the first
    expect(Date.now() - started).toBeLessThan(4000);
    await s.run('disconnect');
    await s.c.dispose();
  }, 30_000);

  it('loses no send silently: with the server killed mid-flood, each send either reached the outside user or failed "not delivered"', async () => {
    const doomed = await startNgircd();
    try {
      // by the name "localhost": paced at 5:2
      const s = await irrSession({ host: 'localhost', port: doomed.port }, 'doomy');
      expect((await s.run('connect')).errors).toBeUndefined();
      const target = { id: '#doomed@localhost', type: 'room' };
      expect((await s.run('join', { target })).errors).toBeUndefined();
      const obs = await connectRawIrc(doomed.host, doomed.port, 'obs');
      clients.push(obs);
      await obs.join('#doomed');
      const from = obs.lines.length;
      const arrived = () => obs.lines.slice(from).filter((l) => / PRIVMSG #doomed :line /.test(l)).map((l) => l.slice(l.indexOf(' :') + 2));
      // all at once: a burst of 5 goes out, the rest wait in the pacer (2 lines/s)
      const sends = Array.from({ length: 20 }, (_, i) => s.run('send', { target, object: { type: 'message', content: `line ${i}` } }));
      // a crash while lines are still queued (at 5:2 the next one is due 500 ms after the last arrived)
      await eventually(() => arrived().length >= 7, 15_000, 5);
      await doomed.kill();
      const results = await Promise.all(sends);
      const got = new Set(arrived());
      let notDelivered = 0;
      results.forEach((r, i) => {
        if (!r.errors) {
          expect(got.has(`line ${i}`), `send ${i} resolved, so its line was written and relayed`).toBe(true);
          return;
        }
        expect(errorCode(r), `send ${i}`).toBe('PLATFORM_ERROR');
        expect(r.errors[0]!.message).toMatch(new RegExp(`^(not delivered: the connection to localhost closed before the message was written|not connected to localhost)`));
        if (/^not delivered/.test(r.errors[0]!.message)) notDelivered++;
      });
      expect(results.filter((r) => !r.errors).length).toBeGreaterThanOrEqual(7);
      expect(notDelivered).toBeGreaterThanOrEqual(1);
      await s.run('disconnect');
      await s.c.dispose();
    } finally {
      await doomed.stop();
    }
  }, 40_000);

  it('5 sessions (distinct nicks) in one channel each receive a message exactly once', async () => {
    const nicks = ['five1', 'five2', 'five3', 'five4', 'five5'];
    const all = await Promise.all(nicks.map((n) => irrSession(other, n)));
    for (const s of all) {
      expect((await s.run('connect')).errors).toBeUndefined();
      expect((await s.run('join', { target: room('#five') })).errors).toBeUndefined();
    }
    const speaker = await rawOn('speaker');
    await speaker.join('#five');
    speaker.privmsg('#five', 'once each');
    for (const s of all) await s.saw((a) => a.type === 'send' && a.object?.content === 'once each', 'the message');
    await new Promise((r) => setTimeout(r, 500));
    for (const s of all) {
      const got = s.acts().filter((a) => a.type === 'send' && a.object?.content === 'once each');
      expect(got).toHaveLength(1);
      expect(got[0]).toMatchObject({ actor: { id: `speaker@${other.host}` }, target: room('#five') });
    }
    for (const s of all) { await s.run('disconnect'); await s.c.dispose(); }
  }, 30_000);

  it('shows a message one of two sessions sharing a connection sent to each of them once (no echo-message: echoed locally), and to the outside once', async () => {
    const a = await irrSession(other, 'pair');
    const b = await irrSession(other, 'pair');
    expect((await a.run('connect')).errors).toBeUndefined();
    expect((await b.run('connect')).errors).toBeUndefined(); // the same credentials: attached to a's connection
    expect((await a.run('join', { target: room('#pair') })).errors).toBeUndefined();
    const peer = await rawOn('peer2');
    await peer.join('#pair');
    for (const s of [a, b]) await s.saw((x) => x.type === 'join' && x.actor.id === `peer2@${other.host}`, "peer2's join");
    const from = peer.lines.length;
    expect((await a.run('send', { target: room('#pair'), object: { type: 'message', content: 'said by a' } })).errors).toBeUndefined();
    expect((await b.run('send', { target: { id: `peer2@${other.host}`, type: 'person' }, object: { type: 'me', content: 'waves privately' } })).errors).toBeUndefined();
    await peer.waitFor(/^:pair!\S+ PRIVMSG peer2 :\x01ACTION waves privately\x01$/, 5000, { from });
    for (const s of [a, b]) {
      await s.saw((x) => x.type === 'send' && x.object?.content === 'said by a', 'the channel message');
      await s.saw((x) => x.type === 'send' && x.object?.content === 'waves privately', 'the private action');
    }
    await new Promise((r) => setTimeout(r, 500));
    for (const s of [a, b]) {
      const said = s.acts().filter((x) => x.type === 'send' && x.object?.content === 'said by a');
      expect(said).toHaveLength(1);
      expect(said[0]).toMatchObject({ actor: { id: `pair@${other.host}` }, target: room('#pair'), object: { type: 'message' } });
      const waved = s.acts().filter((x) => x.type === 'send' && x.object?.content === 'waves privately');
      expect(waved).toHaveLength(1);
      expect(waved[0]).toMatchObject({ actor: { id: `pair@${other.host}` }, target: { id: `peer2@${other.host}`, type: 'person' }, object: { type: 'me' } });
    }
    expect(peer.lines.slice(from).filter((l) => / PRIVMSG #pair :said by a$/.test(l))).toHaveLength(1);
    expect(peer.lines.slice(from).filter((l) => /waves privately/.test(l))).toHaveLength(1);
    await a.run('disconnect');
    await b.run('disconnect');
    for (const s of [a, b]) await s.c.dispose();
  }, 30_000);

  it('keeps two sessions with different credentials for one nick on separate connections', async () => {
    const first = await irrSession(other, 'twin', { realname: 'first twin' });
    const second = await irrSession(other, 'twin', { realname: 'second twin' });
    const third = await irrSession(other, 'twin', { password: 'not the same' });
    expect((await first.run('connect')).errors).toBeUndefined();
    expect((await first.run('join', { target: room('#twins') })).errors).toBeUndefined();
    // neither attaches to the first's connection: each opens its own, and the nick is taken
    for (const s of [second, third]) {
      const r = await s.run('connect');
      expect(errorCode(r)).toBe('PLATFORM_ERROR');
      expect(r.errors?.[0]?.message).toMatch(/nick "twin" is already in use/);
    }
    const peer = await rawOn('peer');
    await peer.join('#twins');
    peer.privmsg('#twins', 'for the first twin');
    peer.privmsg('twin', 'private to twin');
    await first.saw((a) => a.type === 'send' && a.object?.content === 'for the first twin', 'the channel message');
    await first.saw((a) => a.type === 'send' && a.object?.content === 'private to twin', 'the private message');
    await new Promise((r) => setTimeout(r, 300));
    for (const s of [second, third]) {
      // what they saw is their own failed registration, none of the first's activities
      expect(s.acts().filter((a) => a.type === 'send' || a.type === 'join')).toEqual([]);
      // and they have no connection to use
      expect(errorCode(await s.run('send', { target: room('#twins'), object: { type: 'message', content: 'hijack' } }))).toBeTruthy();
    }
    expect(peer.lines.some((l) => /hijack/.test(l))).toBe(false);
    await first.run('disconnect');
    for (const s of [first, second, third]) await s.c.dispose();
  }, 30_000);
});

describe('IRC session after a crash of its thread', () => {
  let shared: Hubgraph;
  // one session thread, so the IRC session shares the thread the dummy crashes
  beforeAll(async () => { shared = await startHubgraph({ env: { HUBGRAPH_PLATFORMS: 'irc,dummy', HUBGRAPH_SESSION_THREADS: '1', HUBGRAPH_HEARTBEAT: '200' } }); });
  afterAll(async () => { await shared?.stop(); if (shared) await dropPrefix(shared.prefix); });

  it('comes back in its channels when the supervisor reopens it with what it saved', async () => {
    const s = await irrSession(ircd, 'crashy', {}, () => shared);
    expect((await s.run('connect')).errors).toBeUndefined();
    expect((await s.run('join', { target: { id: `#crashy@${server}`, type: 'room' } })).errors).toBeUndefined();
    const witness = await raw('witness');
    await witness.join('#crashy');
    // a dummy session in the same (only) thread, made to kill it
    const crashThread = await threadKiller(shared.url, 'boom');
    const before = s.acts().length;
    const from = witness.lines.length;
    await crashThread();
    await s.saw((a, i = s.acts().indexOf(a)) => i >= before && a.type === 'connect', 'the reopened connection', 15_000);
    const types = s.acts().slice(before).map((a) => a.type);
    expect(types.indexOf('disconnect')).toBeGreaterThanOrEqual(0);
    expect(types.indexOf('disconnect')).toBeLessThan(types.indexOf('connect'));
    // the new connection rejoined the channel the old one had saved
    await witness.waitFor(/^:crashy!\S+ JOIN :?#crashy$/, 5000, { from });
    witness.privmsg('#crashy', 'still there?');
    await s.saw((a) => a.type === 'send' && a.object?.content === 'still there?', 'the message after the crash');
    await s.run('disconnect');
    await s.c.dispose();
  }, 30_000);
});

describe('HUBGRAPH_IRC_FLOOD', () => {
  it('takes burst:lines-per-second with per-server overrides, and refuses anything else with a clear error', () => {
    const rates = (v?: string) => { const r = parseConfig([], v === undefined ? {} : { HUBGRAPH_IRC_FLOOD: v }); return r.help ? undefined : r.config.ircFlood; };
    expect(rates()).toEqual({ default: { burst: 5, perSecond: 2 }, servers: {} });
    expect(rates('10:0.5,IRC.Example.net=4:1')).toEqual({ default: { burst: 10, perSecond: 0.5 }, servers: { 'irc.example.net': { burst: 4, perSecond: 1 } } });
    expect(parseConfig(['--irc-flood', 'localhost=1:1'], {})).toMatchObject({ config: { ircFlood: { default: { burst: 5, perSecond: 2 }, servers: { localhost: { burst: 1, perSecond: 1 } } } } });
    for (const bad of ['5', '0:2', '5:0', 'x:y', '5:2:1', '=5:2', 'a=5']) expect(() => rates(bad), bad).toThrow(ConfigError);
    expect(() => rates('5:0')).toThrow(/burst:lines-per-second.*"5:0"/);
  });
});

describe('IRC platform behind the address guard', () => {
  let guarded: Hubgraph;
  beforeAll(async () => { guarded = await startHubgraph({ env: { HUBGRAPH_PLATFORMS: 'irc', HUBGRAPH_ALLOW_PRIVATE_ADDRESSES: '0' } }); });
  afterAll(async () => { await guarded?.stop(); if (guarded) await dropPrefix(guarded.prefix); });

  it('refuses to connect to a loopback address, given as an IP or as a name, with FORBIDDEN_ADDRESS', async () => {
    const t = await openSession(guarded.url);
    for (const host of ['127.0.0.1', 'localhost']) {
      await ok(guarded.url, SET, { p: 'irc', a: `alice@${host}`, c: { nick: 'alice', server: host, port: ircd.port, secure: false } }, t);
      const r = await gql(guarded.url, verb('connect', 'type'), { input: { platform: 'irc', actor: { id: `alice@${host}`, type: 'person' } } }, t);
      expect(errorCode(r), host).toBe('FORBIDDEN_ADDRESS');
    }
  });
});

describe('IRC over TLS', () => {
  let proxy: TlsServer;
  let port: number;
  beforeAll(async () => {
    // TLS in front of ngircd (which the tests run without TLS)
    proxy = createTlsServer({ cert: readFileSync(CERT), key: readFileSync(KEY) }, (sock) => {
      const up = tcpConnect(ircd.port, ircd.host);
      sock.pipe(up).pipe(sock);
      sock.on('error', () => up.destroy());
      up.on('error', () => sock.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
    port = (proxy.address() as { port: number }).port;
  });
  afterAll(() => { proxy?.close(); });

  it('connects by name with the certificate checked against that name, and refuses one that does not match', async () => {
    const t = await openSession(hub.url);
    await ok(hub.url, SET, { p: 'irc', a: 'tls@localhost', c: { nick: 'tls', server: 'localhost', port } }, t);
    await ok(hub.url, verb('connect', 'type'), { input: { platform: 'irc', actor: { id: 'tls@localhost', type: 'person' } } }, t);
    await ok(hub.url, verb('disconnect', 'type'), { input: { platform: 'irc', actor: { id: 'tls@localhost', type: 'person' } } }, t);
    // the same server by IP: the certificate names only "localhost"
    await ok(hub.url, SET, { p: 'irc', a: 'tls2@127.0.0.1', c: { nick: 'tls2', server: '127.0.0.1', port, secure: true } }, t);
    const r = await gql(hub.url, verb('connect', 'type'), { input: { platform: 'irc', actor: { id: 'tls2@127.0.0.1', type: 'person' } } }, t);
    expect(errorCode(r)).toBe('PLATFORM_ERROR');
    expect(r.errors?.[0]?.message).toMatch(/certificate|altnames/i);
  });
});
