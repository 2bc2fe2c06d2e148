// Section 7: the XMPP platform against a local Prosody (test/support/prosody.ts), through the
// public API, with its rows (the IRC section keeps them in report-irc.ts; this one is small).
//   sessions: for each N, a fresh Prosody with N + warm-up accounts made by in-band registration
//             (SCRAM at 128 PBKDF2 rounds, so logins cost the client little) and a fresh hubgraph
//             (HUBGRAPH_PLATFORMS=xmpp); 10 warm-up sessions, then N sessions (openSession →
//             setCredentials → connect → join, ten per room) ramped with K in flight over HTTP. Total
//             VmRSS of the hubgraph process before and after, per session, sessions per GiB at that
//             rate. The floor: the same N as plain @xmpp/client clients (online, presence, the same
//             rooms) in one child process, on a fresh Prosody, measured the same way.
//   latency:  one session with a WebSocket subscriber and an outside plain client; `send` (chat) →
//             the outside client receives it, the outside client's message → the subscriber; beside
//             it two plain @xmpp/client clients in the bench process doing the same exchange (with
//             TCP_NODELAY set on their sockets, as the platform does: the best a plain client gets).
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { client, xml } from '@xmpp/client';
import type { Element } from '@xmpp/xml';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { attempt, closeAll, rampSaid } from '../support/attempt.js';
import { registerInBand, startProsody, type Prosody } from '../../test/support/prosody.js';
import { assertAlive, type ChildServer } from '../support/child.js';
import { retireHubgraph, startHubgraph, type HubgraphServer } from '../support/hubgraph.js';
import { HttpGql } from '../support/http-gql.js';
import { ROOT } from '../support/paths.js';
import { treeRss, vmRssBytes } from '../support/rss.js';
import { sleep } from '../support/pause.js';
import { summarize, type Summary } from '../support/stats.js';
import { ramp } from '../support/ramp.js';
import { fmt, type Row } from '../support/table.js';

const SET = 'mutation($a: String!, $c: JSON!) { setCredentials(platform: "xmpp", actor: $a, credentials: $c) }';
const CONNECT = 'mutation($input: ActivityInput!) { connect(input: $input) { id } }';
const JOIN = 'mutation($input: ActivityInput!) { join(input: $input) { id } }';
const SEND = 'mutation($input: ActivityInput!) { send(input: $input) { id } }';
const WARM_UP_SESSIONS = 10;
const SETTLE_MS = 3000;
const REGISTER_IN_FLIGHT = 20;

export interface XmppSizes {
  sessions: number[];
  inFlight: number;
  latencySamples: number;
  /** ms from the start of one latency iteration to the next */
  gapMs: number;
}

export interface XmppRss {
  connected: number;
  failed: number;
  firstError?: string;
  connectMs: number;
  rssBefore: number;
  rssAfter: number;
  perSession: number;
  connectLatency?: Summary;
}

export interface XmppResults {
  sessions: { n: number; hubgraph: XmppRss | { error: string }; floor: XmppRss | { error: string } }[];
  latency: { sendToOutside: Summary; sendMutation: Summary; outsideToSubscriber: Summary; floorAtoB: Summary; floorBtoA: Summary } | { error: string };
  hubgraphEnv: Record<string, string>;
  inFlight: number;
  gapMs: number;
}

export interface XmppContext {
  redisUrl: string;
  sizes: XmppSizes;
  progress(line: string): void;
  retiring(child: ChildServer): void;
}

function hubEnv(): Record<string, string> {
  return { HUBGRAPH_ALLOW_PRIVATE_ADDRESSES: '1', HUBGRAPH_JOB_TIMEOUT: '120000', HUBGRAPH_SESSION_THREADS: '2' };
}

async function prosodyWith(users: string[]): Promise<Prosody> {
  const server = await startProsody();
  const r = await ramp(users.length, REGISTER_IN_FLIGHT, (i) => server.register(users[i] as string, `${users[i]}pass`));
  if (r.failed) {
    await server.stop();
    throw new Error(`registering ${users.length} accounts: ${r.failed} failed; ${r.firstError}`);
  }
  return server;
}

const users = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

async function hubSession(http: HttpGql, on: Prosody, user: string, room?: string): Promise<string> {
  const { openSession } = await http.run<{ openSession: { token: string } }>('mutation { openSession { token } }');
  const token = openSession.token;
  const actor = { id: `${user}@${on.domain}`, type: 'person' };
  await http.runAs(token, SET, { a: actor.id, c: { userAddress: actor.id, password: `${user}pass`, resource: 'bench', server: on.host, port: on.port } });
  await http.runAs(token, CONNECT, { input: { platform: 'xmpp', actor } });
  if (room) await http.runAs(token, JOIN, { input: { platform: 'xmpp', actor, target: { id: `${room}@${on.muc}`, type: 'room' } } });
  return token;
}

async function hubgraphSessions(ctx: XmppContext, n: number): Promise<XmppRss> {
  const server = await prosodyWith([...users('w', WARM_UP_SESSIONS), ...users('h', n)]);
  let hub: HubgraphServer | undefined;
  try {
    hub = await startHubgraph({ redisUrl: ctx.redisUrl, platforms: 'xmpp', env: hubEnv() });
    const pid = hub.child.proc.pid!;
    const http = new HttpGql(hub.url, undefined, ctx.sizes.inFlight + 4);
    const warm = await ramp(WARM_UP_SESSIONS, WARM_UP_SESSIONS, async (i) => void (await hubSession(http, server, `w${i}`, 'warm')));
    if (warm.failed) throw new Error(`XMPP warm-up session failed: ${warm.firstError}`);
    await sleep(1000);
    const before = treeRss(pid).bytes;
    ctx.progress(`  hubgraph: ${n} XMPP sessions, ${ctx.sizes.inFlight} in flight (RSS before ${(before / 2 ** 20).toFixed(0)} MiB)`);
    const r = await ramp(n, ctx.sizes.inFlight, async (i) => void (await hubSession(http, server, `h${i}`, `r${Math.floor(i / 10)}`)));
    await sleep(SETTLE_MS);
    const after = treeRss(pid).bytes;
    http.close();
    assertAlive(hub.child);
    return {
      connected: r.connected, failed: r.failed, ...(r.firstError ? { firstError: r.firstError } : {}), connectMs: r.ms,
      rssBefore: before, rssAfter: after, perSession: r.connected ? (after - before) / r.connected : NaN, connectLatency: summarize(r.lat),
    };
  } finally {
    await retireHubgraph(hub, ctx);
    await server.stop();
  }
}

/** The floor's child process: plain @xmpp/client clients, online with presence, in the same rooms. */
const FLOOR_SCRIPT = `
import { createInterface } from 'node:readline';
import { client, xml } from '@xmpp/client';
const held = [];
async function one(o, user, room) {
  const x = client({ service: 'xmpp://' + o.host + ':' + o.port, domain: o.domain, username: user, password: user + 'pass', resource: 'floor' });
  x.on('error', () => {});
  await x.start();
  await x.iqCaller.get(xml('query', { xmlns: 'jabber:iq:roster' }));
  await x.send(xml('presence'));
  const joined = new Promise((resolve) => x.on('stanza', (s) => { if (s.is('presence') && s.attrs.from === room + '@' + o.muc + '/' + user) resolve(); }));
  await x.send(xml('presence', { to: room + '@' + o.muc + '/' + user }, xml('x', { xmlns: 'http://jabber.org/protocol/muc' })));
  await joined;
  held.push(x);
}
async function connect(o) {
  const t0 = performance.now();
  let next = 0, failed = 0, ok = 0, firstError;
  const lane = async () => { while (next < o.users.length) { const i = next++; try { await one(o, o.users[i], o.roomPrefix + Math.floor(i / 10)); ok++; } catch (e) { failed++; firstError ??= String(e && e.message); } } };
  await Promise.all(Array.from({ length: Math.min(o.inFlight, o.users.length) }, lane));
  return { connected: ok, failed, firstError, ms: performance.now() - t0 };
}
process.stdout.write(JSON.stringify({ ready: true }) + '\\n');
for await (const line of createInterface({ input: process.stdin })) {
  const o = JSON.parse(line);
  process.stdout.write(JSON.stringify(await connect(o)) + '\\n');
}
`;

async function floorSessions(ctx: XmppContext, n: number): Promise<XmppRss> {
  const server = await prosodyWith([...users('w', WARM_UP_SESSIONS), ...users('f', n)]);
  const proc = spawn(process.execPath, ['--input-type=module', '-e', FLOOR_SCRIPT], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  const kill = () => proc.kill('SIGKILL');
  process.once('exit', kill);
  let stderr = '';
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
  const replies: ((v: Record<string, unknown>) => void)[] = [];
  createInterface({ input: proc.stdout! }).on('line', (l) => replies.shift()?.(JSON.parse(l) as Record<string, unknown>));
  const exited = new Promise<never>((_, reject) => proc.once('exit', (code) => reject(new Error(`floor clients exited (${code}):\n${stderr}`))));
  const reply = () => Promise.race([new Promise<Record<string, unknown>>((r) => replies.push(r)), exited]);
  const connect = (list: string[], roomPrefix: string) => {
    const answer = reply();
    proc.stdin!.write(`${JSON.stringify({ host: server.host, port: server.port, domain: server.domain, muc: server.muc, users: list, roomPrefix, inFlight: ctx.sizes.inFlight })}\n`);
    return answer;
  };
  try {
    await reply();
    const warm = await connect(users('w', WARM_UP_SESSIONS), 'warm');
    if (warm.failed) throw new Error(`floor warm-up failed: ${String(warm.firstError)}`);
    await sleep(1000);
    const before = vmRssBytes(proc.pid!) ?? NaN;
    ctx.progress(`  floor: ${n} @xmpp/client clients in one process`);
    const r = (await connect(users('f', n), 'r')) as { connected: number; failed: number; firstError?: string; ms: number };
    await sleep(SETTLE_MS);
    const after = vmRssBytes(proc.pid!) ?? NaN;
    return {
      connected: r.connected, failed: r.failed, ...(r.firstError ? { firstError: r.firstError } : {}), connectMs: r.ms,
      rssBefore: before, rssAfter: after, perSession: r.connected ? (after - before) / r.connected : NaN,
    };
  } finally {
    process.off('exit', kill);
    exited.catch(() => undefined);
    proc.kill('SIGKILL');
    await server.stop();
  }
}

/** Resolves when a matching body arrives. */
class Waiters {
  private map = new Map<string, (t: number) => void>();
  arrive(content: string): void {
    const t = performance.now();
    const w = this.map.get(content);
    if (w) { this.map.delete(content); w(t); }
  }
  wait(content: string, timeoutMs = 10_000): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => { this.map.delete(content); reject(new Error(`"${content}" did not arrive within ${timeoutMs} ms`)); }, timeoutMs);
      this.map.set(content, (t) => { clearTimeout(timer); resolve(t); });
    });
  }
}

async function plain(on: Prosody, user: string, at: Waiters): Promise<ReturnType<typeof client>> {
  const x = client({ service: `xmpp://${on.host}:${on.port}`, domain: on.domain, username: user, password: `${user}pass`, resource: 'plain' });
  x.on('error', () => undefined);
  x.on('stanza', (s: Element) => { if (s.is('message')) { const b = s.getChildText('body'); if (b) at.arrive(b); } });
  await x.start();
  // TCP_NODELAY, as the platform sets it: without it a reply can wait ~40 ms (Nagle + delayed ACK;
  // measured: B → A p50 43 ms with @xmpp/client's default socket)
  (x as unknown as { socket?: { setNoDelay?(v: boolean): void } }).socket?.setNoDelay?.(true);
  await x.send(xml('presence'));
  return x;
}

async function latency(ctx: XmppContext): Promise<Exclude<XmppResults['latency'], { error: string }>> {
  const server = await prosodyWith(['lat', 'outsider', 'floora', 'floorb']);
  let hub: HubgraphServer | undefined;
  const closers: (() => unknown)[] = [];
  try {
    hub = await startHubgraph({ redisUrl: ctx.redisUrl, platforms: 'xmpp', env: hubEnv() });
    const http = new HttpGql(hub.url, undefined, 4);
    closers.push(() => http.close());
    const atOutsider = new Waiters();
    const outsider = await plain(server, 'outsider', atOutsider);
    closers.push(() => outsider.stop());
    const token = await hubSession(http, server, 'lat');
    const atSubscriber = new Waiters();
    const ws = createClient({ url: hub.wsUrl, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, lazy: false, retryAttempts: 0 });
    closers.push(() => ws.dispose());
    ws.subscribe<{ activities: { type: string; object?: { content?: string } } }>(
      { query: 'subscription { activities(platform: "xmpp") { type object { content } } }' },
      { next: (r) => { const c = r.data?.activities.object?.content; if (r.data?.activities.type === 'send' && typeof c === 'string') atSubscriber.arrive(c); }, error: () => undefined, complete: () => undefined },
    );
    const chat = (x: ReturnType<typeof client>, to: string, body: string) => x.send(xml('message', { to, type: 'chat' }, xml('body', {}, body)));
    const latJid = `lat@${server.domain}`;
    for (let k = 0; ; k++) {
      const seen = atSubscriber.wait(`probe-${k}`, 300).then(() => true, () => false);
      await chat(outsider, latJid, `probe-${k}`);
      if (await seen) break;
      if (k > 30) throw new Error('the subscriber never received a message from the outside client');
    }
    const atA = new Waiters();
    const atB = new Waiters();
    const a = await plain(server, 'floora', atA);
    closers.push(() => a.stop());
    const b = await plain(server, 'floorb', atB);
    closers.push(() => b.stop());
    const warm = 10;
    const out: number[] = [];
    const mut: number[] = [];
    const inbound: number[] = [];
    const ab: number[] = [];
    const ba: number[] = [];
    const actor = { id: latJid, type: 'person' };
    ctx.progress(`  latency: ${ctx.sizes.latencySamples} iterations, one every ${ctx.sizes.gapMs} ms`);
    for (let i = 0; i < warm + ctx.sizes.latencySamples; i++) {
      const start = performance.now();
      const keep = i >= warm;
      let t = performance.now();
      const got = atOutsider.wait(`out-${i}`);
      await http.runAs(token, SEND, { input: { platform: 'xmpp', actor, target: { id: `outsider@${server.domain}`, type: 'person' }, object: { type: 'message', content: `out-${i}` } } });
      const replied = performance.now();
      const arrived = await got;
      if (keep) { out.push(arrived - t); mut.push(replied - t); }
      t = performance.now();
      const sub = atSubscriber.wait(`in-${i}`);
      await chat(outsider, latJid, `in-${i}`);
      const subAt = await sub;
      if (keep) inbound.push(subAt - t);
      t = performance.now();
      const atBGot = atB.wait(`fa-${i}`);
      await chat(a, `floorb@${server.domain}`, `fa-${i}`);
      const tb = await atBGot;
      if (keep) ab.push(tb - t);
      t = performance.now();
      const atAGot = atA.wait(`fb-${i}`);
      await chat(b, `floora@${server.domain}`, `fb-${i}`);
      const ta = await atAGot;
      if (keep) ba.push(ta - t);
      const left = ctx.sizes.gapMs - (performance.now() - start);
      if (left > 0) await sleep(left);
    }
    assertAlive(hub.child);
    return { sendToOutside: summarize(out), sendMutation: summarize(mut), outsideToSubscriber: summarize(inbound), floorAtoB: summarize(ab), floorBtoA: summarize(ba) };
  } finally {
    await closeAll(closers);
    await retireHubgraph(hub, ctx);
    await server.stop();
  }
}

export async function runXmpp(ctx: XmppContext): Promise<XmppResults> {
  ctx.progress('XMPP: send / receive latency against the floor (two @xmpp/client clients)');
  const lat = await attempt(ctx.progress, 'latency', () => latency(ctx));
  const sessions: XmppResults['sessions'] = [];
  for (const n of ctx.sizes.sessions) {
    ctx.progress(`XMPP: ${n.toLocaleString('en-US')} sessions against ${n.toLocaleString('en-US')} @xmpp/client clients`);
    const hubgraph = await attempt(ctx.progress, 'hubgraph', () => hubgraphSessions(ctx, n), (h) => rampSaid(h) + (h.failed ? `; ${h.failed} failed, first: ${h.firstError}` : ''));
    const floor = await attempt(ctx.progress, 'floor', () => floorSessions(ctx, n), rampSaid);
    sessions.push({ n, hubgraph, floor });
  }
  return { sessions, latency: lat, hubgraphEnv: { HUBGRAPH_PLATFORMS: 'xmpp', ...hubEnv() }, inFlight: ctx.sizes.inFlight, gapMs: ctx.sizes.gapMs };
}

// ---- rows ----

const info = (section: string, what: string, value: number | null, figure: string, unit: string): Row => ({ section, what, value, figure, unit });
const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
const kib = (b: number) => `${(b / 1024).toFixed(1)} KiB`;
const pp = (s: Summary) => `${fmt.ms(s.p50)} / ${fmt.ms(s.p99)}`;
const perGiB = (perSession: number) => (perSession > 0 ? 2 ** 30 / perSession : NaN);

export function xmppRows(r: XmppResults): Row[] {
  const rows: Row[] = [];
  if ('error' in r.latency) rows.push({ section: 'XMPP: latency, one session', what: 'latency run', value: null, figure: `failed: ${r.latency.error}`, unit: '', target: 'ran', pass: false });
  else {
    const l = r.latency;
    const section = 'XMPP: latency, one session';
    rows.push(
      info(section, `send → outside client p50 / p99 (${l.sendToOutside.count} sequential, ${r.gapMs} ms apart)`, l.sendToOutside.p50, pp(l.sendToOutside), 'ms'),
      info(section, 'send mutation reply p50 / p99', l.sendMutation.p50, pp(l.sendMutation), 'ms'),
      info(section, 'outside client → subscriber p50 / p99', l.outsideToSubscriber.p50, pp(l.outsideToSubscriber), 'ms'),
      info(section, 'floor: @xmpp/client A → B p50 / p99', l.floorAtoB.p50, pp(l.floorAtoB), 'ms'),
      info(section, 'floor: @xmpp/client B → A p50 / p99', l.floorBtoA.p50, pp(l.floorBtoA), 'ms'),
    );
  }
  for (const run of r.sessions) {
    const section = `XMPP: ${fmt.int(run.n)} sessions`;
    for (const [name, f] of [['hubgraph', run.hubgraph], ['floor (@xmpp/client clients)', run.floor]] as const) {
      if ('error' in f) { rows.push({ section, what: name, value: null, figure: `failed: ${f.error}`, unit: '', target: 'all connected', pass: false }); continue; }
      rows.push(
        { section, what: `${name}: connected and joined`, value: f.connected, figure: `${fmt.int(f.connected)} of ${fmt.int(run.n)}${f.failed ? ` (${f.failed} failed)` : ''}`, unit: 'sessions', target: 'all', pass: f.connected === run.n },
        info(section, `${name}: connect time (ramped)`, f.connectMs, `${(f.connectMs / 1000).toFixed(1)} s, ${fmt.rate(f.connected / (f.connectMs / 1000))}`, 's'),
        info(section, `${name}: RSS before → after`, f.rssAfter, `${mib(f.rssBefore)} → ${mib(f.rssAfter)}`, 'MiB'),
        info(section, `${name}: RSS per session; sessions per GiB at that rate`, f.perSession, `${kib(f.perSession)}; ${fmt.int(perGiB(f.perSession))}`, 'KiB'),
        ...(f.connectLatency ? [info(section, `${name}: one session (4 calls) p50 / p99`, f.connectLatency.p50, pp(f.connectLatency), 'ms')] : []),
      );
    }
    const h = 'error' in run.hubgraph ? undefined : run.hubgraph;
    const f = 'error' in run.floor ? undefined : run.floor;
    const ratio = h && f ? h.perSession / f.perSession : null;
    rows.push(info(section, 'per session: hubgraph / floor', ratio, ratio === null ? '—' : fmt.ratio(ratio), 'ratio'));
  }
  return rows;
}
