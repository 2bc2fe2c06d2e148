// Several worker and API processes on one Redis, against a real ngircd: connections spread, a
// worker that dies (SIGKILL, no goodbye) or stops (SIGTERM) loses nothing, two workers racing for
// one connection never both open it, and subscribers on any API process see every event.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropPrefix, redisClient, startHubgraph, uniquePrefix, type Hubgraph } from './support/hubgraph.js';
import { collect, errorCode, eventually, gql, ok, openSession, wsClient, type Collected } from './support/client.js';
import { startNgircd, stopAllIrc, type Ngircd } from './support/ngircd.js';
import { connectRawIrc, type RawIrc } from './support/raw-irc.js';
import { Keys } from '../src/redis/keys.js';
import { Leases } from '../src/worker/leases.js';
import { connectionOwner } from './support/redis-dump.js';

const SET = 'mutation($p: String!, $a: String!, $c: JSON!) { setCredentials(platform: $p, actor: $a, credentials: $c) }';
const FIELDS = 'type cursor actor { id } target { id } object { type content }';
const ENV = { HUBGRAPH_PLATFORMS: 'irc' };

let ircd: Ngircd;
const hubs: Hubgraph[] = [];
const clients: RawIrc[] = [];
const disposers: (() => Promise<void> | void)[] = [];
const prefixes: string[] = [];

async function start(role: 'api' | 'worker', prefix: string, env: Record<string, string> = {}): Promise<Hubgraph & { id: string }> {
  const hub = await startHubgraph({ role, prefix, env: { ...ENV, ...env } });
  hubs.push(hub);
  const id = /worker ready \((\S+)\)/.exec(hub.stdout.join(''))?.[1] ?? '';
  return Object.assign(hub, { id });
}

async function raw(nick: string): Promise<RawIrc> {
  const c = await connectRawIrc(ircd.host, ircd.port, nick);
  clients.push(c);
  return c;
}

/** A session on `api` holding the IRC connection of `nick`, with a subscriber. */
async function ircSession(api: Hubgraph, nick: string): Promise<{ token: string; feed: Collected<{ activities: any }>; input: (rest?: Record<string, unknown>) => { input: Record<string, unknown> } }> {
  const token = await openSession(api.url);
  await ok(api.url, SET, { p: 'irc', a: `${nick}@${ircd.host}`, c: { nick, server: ircd.host, port: ircd.port, secure: false } }, token);
  const ws = wsClient(api.wsUrl, token);
  disposers.push(() => ws.dispose());
  const feed = collect(ws, `subscription { activities(platform: "irc") { ${FIELDS} } }`);
  const input = (rest: Record<string, unknown> = {}) => ({ input: { platform: 'irc', actor: { id: `${nick}@${ircd.host}`, type: 'person' }, ...rest } });
  return { token, feed, input };
}

/** How many connections the ircd has under `nick`: WHO from a fresh raw client named `probeNick`. */
async function onIrcd(nick: string, probeNick: string): Promise<number> {
  const probe = await raw(probeNick);
  probe.send(`WHO ${nick}`);
  await probe.waitFor(/ 315 /);
  return probe.lines.filter((l) => new RegExp(` 352 ${probeNick} \\S+ \\S+ \\S+ \\S+ ${nick} `).test(l)).length;
}

const mutation = (verb: string) => `mutation($input: ActivityInput!) { ${verb}(input: $input) { type object { type content } } }`;
const ownerOf = (prefix: string, nick: string) => connectionOwner(prefix, `${nick}@${ircd.host}`);

beforeAll(async () => {
  ircd = await startNgircd();
});

afterAll(async () => {
  for (const d of disposers) await d();
  for (const c of clients) c.close();
  await Promise.all(hubs.map((h) => h.stop('SIGKILL')));
  for (const p of prefixes) await dropPrefix(p);
  await stopAllIrc();
});

describe('scale-out: several workers share the connections', () => {
  it('a worker SIGKILLed mid-session: its connection is reopened by another within 10 s, channels rejoined, nothing repeated or lost', async () => {
    const prefix = uniquePrefix();
    prefixes.push(prefix);
    const api = await start('api', prefix);
    const w1 = await start('worker', prefix);
    const w2 = await start('worker', prefix);
    const outsider = await raw('watcher');
    await outsider.join('#ha');
    const s = await ircSession(api, 'kim');
    await ok(api.url, mutation('connect'), s.input(), s.token);
    await ok(api.url, mutation('join'), s.input({ target: { id: `#ha@${ircd.host}`, type: 'room' } }), s.token);
    const send = (content: string, id?: string) => gql(api.url, mutation('send'), s.input({ ...(id ? { id } : {}), target: { id: `#ha@${ircd.host}`, type: 'room' }, object: { type: 'message', content } }), s.token);
    expect((await send('before the crash', 'client-id-1')).errors).toBeUndefined();
    await outsider.waitFor(/PRIVMSG #ha :before the crash/);

    const owner = await ownerOf(prefix, 'kim');
    const [dying, survivor] = owner === w1.id ? [w1, w2] : [w2, w1];
    expect([w1.id, w2.id]).toContain(owner);
    const mark = s.feed.items.length;
    const killedAt = Date.now();
    dying.proc.kill('SIGKILL');
    // a send issued in the gap either waits for the reopened connection or fails with a code
    const inGap = await send('during the gap');

    const seen = (type: string) => eventually(() => s.feed.items.slice(mark).map((i) => i.activities).find((a) => a.type === type && a.actor.id === `kim@${ircd.host}`), 15_000, 50);
    const down = await seen('disconnect');
    const up = await seen('connect');
    expect(Date.now() - killedAt).toBeLessThan(10_000);
    expect(s.feed.items.slice(mark).findIndex((i) => i.activities === down)).toBeLessThan(s.feed.items.slice(mark).findIndex((i) => i.activities === up));
    // the surviving worker holds it now, and rejoined the channel from the saved state
    await outsider.waitFor((l) => /^:kim!\S+ JOIN :?#ha$/.test(l), 10_000, { newOnly: false, from: outsider.lines.findIndex((l) => l.includes('before the crash')) });
    expect(await ownerOf(prefix, 'kim')).toBe(survivor.id);

    if (inGap.errors) expect(['UNAVAILABLE', 'TIMEOUT', 'PLATFORM_ERROR']).toContain(errorCode(inGap));
    else await outsider.waitFor(/PRIVMSG #ha :during the gap/);
    expect((await send('after the crash')).errors).toBeUndefined();
    await outsider.waitFor(/PRIVMSG #ha :after the crash/);
    // nothing sent twice
    for (const text of ['before the crash', 'during the gap', 'after the crash']) {
      expect(outsider.lines.filter((l) => l.endsWith(`:${text}`)).length).toBeLessThanOrEqual(1);
    }
    // the client retries the send it made before the crash (it never saw the answer, say): the
    // activity id is the key, so it gets the first outcome and nothing is sent again
    const retried = await send('before the crash', 'client-id-1');
    expect(retried.errors).toBeUndefined();
    await new Promise((r) => setTimeout(r, 300));
    expect(outsider.lines.filter((l) => l.endsWith(':before the crash'))).toHaveLength(1);

    // and again: a fresh worker joins, the one holding the connection now dies, the fresh one takes over
    const w3 = await start('worker', prefix);
    const mark2 = s.feed.items.length;
    survivor.proc.kill('SIGKILL');
    await eventually(() => s.feed.items.slice(mark2).map((i) => i.activities).find((a) => a.type === 'connect'), 15_000, 50);
    expect(await ownerOf(prefix, 'kim')).toBe(w3.id);
    expect((await send('after the second crash')).errors).toBeUndefined();
    await outsider.waitFor(/PRIVMSG #ha :after the second crash/);
  }, 60_000);

  it('a worker stopped with SIGTERM hands its connections over: subscribers told, the other worker reopens them at once, exit 0', async () => {
    const prefix = uniquePrefix();
    prefixes.push(prefix);
    // a lease far longer than the test: only the handover can explain a quick reopen
    const long = { HUBGRAPH_CONNECTION_LEASE: '60000' };
    const api = await start('api', prefix, long);
    const w1 = await start('worker', prefix, long);
    const w2 = await start('worker', prefix, long);
    const outsider = await raw('watcher2');
    await outsider.join('#drain');
    const s = await ircSession(api, 'lou');
    await ok(api.url, mutation('connect'), s.input(), s.token);
    await ok(api.url, mutation('join'), s.input({ target: { id: `#drain@${ircd.host}`, type: 'room' } }), s.token);
    const owner = await ownerOf(prefix, 'lou');
    const [leaving, staying] = owner === w1.id ? [w1, w2] : [w2, w1];
    const mark = s.feed.items.length;
    const stoppedAt = Date.now();
    expect(await leaving.stop('SIGTERM')).toBe(0);
    await eventually(() => s.feed.items.slice(mark).map((i) => i.activities).find((a) => a.type === 'disconnect'), 5_000, 50);
    await eventually(() => s.feed.items.slice(mark).map((i) => i.activities).find((a) => a.type === 'connect'), 10_000, 50);
    // handed over: reopened within a sweep, not after a lease ran out
    expect(Date.now() - stoppedAt).toBeLessThan(30_000);
    const notices = s.feed.items.slice(mark).map((i) => i.activities).filter((a) => a.type === 'disconnect' || a.type === 'connect').map((a) => a.type);
    expect(notices).toEqual(['disconnect', 'connect']);
    expect(await ownerOf(prefix, 'lou')).toBe(staying.id);
    const quitAt = outsider.lines.findIndex((l) => /^:lou!\S+ QUIT/.test(l));
    expect(quitAt).toBeGreaterThan(0);
    await outsider.waitFor((l) => /^:lou!\S+ JOIN :?#drain$/.test(l), 10_000, { from: quitAt });
    const sent = await gql(api.url, mutation('send'), s.input({ target: { id: `#drain@${ircd.host}`, type: 'room' }, object: { type: 'message', content: 'still here' } }), s.token);
    expect(sent.errors).toBeUndefined();
    await outsider.waitFor(/PRIVMSG #drain :still here/);
  }, 60_000);

  it('two workers racing for one connection: it is opened exactly once', async () => {
    const prefix = uniquePrefix();
    prefixes.push(prefix);
    const api = await start('api', prefix);
    await start('worker', prefix);
    await start('worker', prefix);
    // ten sessions with the same credentials connect at once: one IRC connection, shared
    const sessions = await Promise.all(Array.from({ length: 10 }, () => ircSession(api, 'raced')));
    const results = await Promise.all(sessions.map((s) => gql(api.url, mutation('connect'), s.input(), s.token)));
    for (const r of results) expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
    expect(await onIrcd('raced', 'counter')).toBe(1);

    // and the lease itself, raced directly from two connections: of two workers claiming one free
    // key, exactly one wins, every time (and which one varies)
    const [ra, rb] = [redisClient(), redisClient()];
    try {
      const keys = new Keys(`${prefix}-race`);
      prefixes.push(`${prefix}-race`);
      const a = new Leases(ra, keys, 'worker-a', 5_000);
      const b = new Leases(rb, keys, 'worker-b', 5_000);
      await Promise.all([a.register(), b.register()]);
      const winners = new Set<string>();
      for (let i = 0; i < 300; i++) {
        const [x, y] = await Promise.all(i % 2 ? [a.claim(`k${i}`), b.claim(`k${i}`)] : [b.claim(`k${i}`), a.claim(`k${i}`)]);
        expect(x).toBe(y);
        winners.add(x);
      }
      expect([...winners].sort()).toEqual(['worker-a', 'worker-b']);
    } finally {
      ra.disconnect();
      rb.disconnect();
    }
  }, 40_000);

  it('a connect that takes over a dead worker\'s connection before the sweep does tells the sessions already attached', async () => {
    const prefix = uniquePrefix();
    prefixes.push(prefix);
    const api = await start('api', prefix);
    const w1 = await start('worker', prefix);
    const attached = await ircSession(api, 'early');
    await ok(api.url, mutation('connect'), attached.input(), attached.token);
    const w2 = await start('worker', prefix);
    expect(await ownerOf(prefix, 'early')).toBe(w1.id);
    const mark = attached.feed.items.length;
    w1.proc.kill('SIGKILL');
    // the sweep would reopen it once the lease runs out; pushed a minute away, only the connect
    // below can take it over. w1 is marked dead at once (what its registration running out does)
    const r = redisClient();
    try {
      const keys = new Keys(prefix);
      const connKey = (await r.keys(`${prefix}:c:*:owner`)).map((k) => k.slice(`${prefix}:c:`.length, -':owner'.length))[0] as string;
      await r.zadd(keys.leases(), 'XX', Date.now() + 60_000, connKey);
      await r.zadd(keys.workers(), 'XX', 0, w1.id);
    } finally {
      r.disconnect();
    }
    const other = await ircSession(api, 'early');
    const res = await gql(api.url, mutation('connect'), other.input(), other.token);
    expect(res.errors, JSON.stringify(res.errors)).toBeUndefined();
    expect(await ownerOf(prefix, 'early')).toBe(w2.id);
    const notices = () => attached.feed.items.slice(mark).map((i) => i.activities.type).filter((t) => t === 'connect' || t === 'disconnect');
    await eventually(() => notices().length >= 2 || undefined, 5_000, 50);
    await new Promise((done) => setTimeout(done, 500));
    expect(notices()).toEqual(['disconnect', 'connect']);
    expect(await onIrcd('early', 'count3')).toBe(1);
  }, 40_000);

  it('with two survivors sweeping at once, a dead worker\'s connection is reopened exactly once', async () => {
    const prefix = uniquePrefix();
    prefixes.push(prefix);
    const short = { HUBGRAPH_CONNECTION_LEASE: '1500' };
    const api = await start('api', prefix, short);
    const w1 = await start('worker', prefix, short);
    const s = await ircSession(api, 'solo');
    await ok(api.url, mutation('connect'), s.input(), s.token);
    const w2 = await start('worker', prefix, short);
    const w3 = await start('worker', prefix, short);
    expect(await ownerOf(prefix, 'solo')).toBe(w1.id);
    const mark = s.feed.items.length;
    w1.proc.kill('SIGKILL');
    await eventually(() => s.feed.items.slice(mark).map((i) => i.activities).find((a) => a.type === 'connect'), 15_000, 50);
    expect([w2.id, w3.id]).toContain(await ownerOf(prefix, 'solo'));
    // a few more sweeps: still one connection, one owner, one pair of notices
    await new Promise((r) => setTimeout(r, 2_000));
    expect(await onIrcd('solo', 'count2')).toBe(1);
    const notices = s.feed.items.slice(mark).map((i) => i.activities.type).filter((t) => t === 'connect' || t === 'disconnect');
    expect(notices).toEqual(['disconnect', 'connect']);
  }, 40_000);
});

describe('scale-out: several API processes', () => {
  it('subscribers on two API processes both get each event; one API dies and its client resumes on the other with `since`, missing nothing', async () => {
    const prefix = uniquePrefix();
    prefixes.push(prefix);
    const api1 = await start('api', prefix);
    const api2 = await start('api', prefix);
    await start('worker', prefix);
    const outsider = await raw('speaker');
    await outsider.join('#two');
    const s = await ircSession(api1, 'ana');
    await ok(api1.url, mutation('connect'), s.input(), s.token);
    await ok(api1.url, mutation('join'), s.input({ target: { id: `#two@${ircd.host}`, type: 'room' } }), s.token);
    // the same session subscribed through the other API process too
    const ws2 = wsClient(api2.wsUrl, s.token);
    disposers.push(() => ws2.dispose());
    const feed2 = collect(ws2, `subscription { activities(platform: "irc") { ${FIELDS} } }`);
    await new Promise((r) => setTimeout(r, 300));
    outsider.privmsg('#two', 'hello both');
    const onBoth = (f: Collected<{ activities: any }>, text: string) => eventually(() => f.items.map((i) => i.activities).find((a) => a.object?.content === text), 10_000, 20);
    const got1 = await onBoth(s.feed, 'hello both');
    await onBoth(feed2, 'hello both');

    // api1 dies; what is said meanwhile is replayed to the client that comes back on api2
    api1.proc.kill('SIGKILL');
    for (let i = 1; i <= 5; i++) outsider.privmsg('#two', `missed ${i}`);
    await onBoth(feed2, 'missed 5');
    const ws3 = wsClient(api2.wsUrl, s.token);
    disposers.push(() => ws3.dispose());
    const resumed = collect(ws3, `subscription($since: String) { activities(platform: "irc", since: $since) { ${FIELDS} } }`, { since: got1.cursor });
    await onBoth(resumed, 'missed 5');
    const texts = resumed.items.map((i) => i.activities.object?.content).filter((t: string | undefined) => t?.startsWith('missed'));
    expect(texts).toEqual(['missed 1', 'missed 2', 'missed 3', 'missed 4', 'missed 5']);
  }, 40_000);
});
