/// <reference path="../../platforms/irc/irc-framework.d.ts" />
// Section 6: the IRC platform against a local ngircd (support/ngircd.ts), through the public API.
//   sessions: for each N, a fresh ngircd and a fresh hubgraph (HUBGRAPH_PLATFORMS=irc); 10 warm-up
//             sessions, then N sessions (openSession → setCredentials → connect → join, distinct
//             nicks, ten per channel) ramped with K in flight over HTTP. Total VmRSS of the hubgraph
//             process (its threads share it) before and after, per session; connect time; event-loop
//             lag seen from outside: latency of a trivial HTTP query (`{ __typename }`) every 20 ms,
//             during the ramp and once it is over. The floor: the same N as plain irc-framework
//             clients in one child process (floor/irc-clients.mjs), on a fresh ngircd, measured the same way.
//   latency:  one session in #lat with a WebSocket subscriber, an outside raw IRC client there too;
//             `send` → outside client receives, outside PRIVMSG → subscriber receives; beside it two
//             plain irc-framework clients in the bench process doing the same exchange, interleaved.
//             Iterations are paced (gapMs) so the platform's flood control (burst 5, then a line per
//             500 ms) always has a token: the figures are the path, not the pacer's queue.
//             Every other iteration sends over the subscriber's graphql-ws socket instead of HTTP,
//             and every other pair runs the floor's exchange first: the first exchange after an
//             idle gap pays for waking the machine (about 0.3-0.6 ms a hop on this VM), so neither
//             side always gets the other's warmed-up cores.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import irc from 'irc-framework';
import { createClient } from 'graphql-ws';
import WebSocket from 'ws';
import { attempt, closeAll, rampSaid } from '../support/attempt.js';
import { assertAlive, type ChildServer } from '../support/child.js';
import { retireHubgraph, startHubgraph, type HubgraphServer } from '../support/hubgraph.js';
import { HttpGql } from '../support/http-gql.js';
import { NGIRCD_LIMITS, startNgircd } from '../support/ngircd.js';
import { gcAndHeaps, inspectorUrl, type IsolateHeap } from '../support/inspect.js';
import { RawIrc } from '../support/raw-irc.js';
import { treeRss, vmRssBytes } from '../support/rss.js';
import { sleep } from '../support/pause.js';
import { summarize, type Summary } from '../support/stats.js';
import { ramp, STOP_AFTER_FAILURES } from '../support/ramp.js';

const FLOOR_CLIENTS = fileURLToPath(new URL('../floor/irc-clients.mjs', import.meta.url));
const SET = 'mutation($a: String!, $c: JSON!) { setCredentials(platform: "irc", actor: $a, credentials: $c) }';
const CONNECT = 'mutation($input: ActivityInput!) { connect(input: $input) { id } }';
const JOIN = 'mutation($input: ActivityInput!) { join(input: $input) { id } }';
const SEND = 'mutation($input: ActivityInput!) { send(input: $input) { id } }';
const SERVER = '127.0.0.1';
const WARM_UP_SESSIONS = 10;
const LAG_TICK_MS = 20;
const SETTLE_MS = 3000;

export interface IrcSizes {
  sessions: number[];
  inFlight: number;
  latencySamples: number;
  /** ms from the start of one latency iteration to the next */
  gapMs: number;
}

export interface RssFigures {
  connected: number;
  failed: number;
  firstError?: string;
  /** ms to connect (and join) the N, ramped */
  connectMs: number;
  rssBefore: number;
  rssAfter: number;
  processes: number;
  perSession: number;
  /** connects reset by ngircd's full backlog and tried again */
  connectRetries: number;
  /** diagnostic, after the figures: RSS after a full GC in every isolate, and the live V8 heap per session (all isolates) */
  afterGcRss?: number;
  liveHeapPerSession?: number;
}

/** the API thread's V8 heap, from hubgraph's /metrics (prom-client default metrics: main thread only) */
export interface MainHeap {
  heapTotal: number;
  heapUsed: number;
  external: number;
}

export type HubgraphSessions = RssFigures & {
  lagDuring: Summary;
  lagAfter: Summary;
  lagFailures: number;
  connectLatency: Summary;
  mainHeapBefore?: MainHeap;
  mainHeapAfter?: MainHeap;
  /** the bench's private Redis, which holds the sessions (not part of hubgraph's RSS) */
  redisRssBefore?: number;
  redisRssAfter?: number;
  /** diagnostic, after the figures: a full GC in every isolate (inspector), each isolate's heap, and RSS then */
  afterGc?: { isolates: IsolateHeap[]; rss: number } | { error: string };
  /** the same, just after RSS before was read (before the ramp) */
  gcBefore?: { isolates: IsolateHeap[]; rss: number } | { error: string };
  aborted?: string;
};

async function mainHeap(graphqlUrl: string): Promise<MainHeap | undefined> {
  try {
    const text = await (await fetch(graphqlUrl.replace(/\/graphql$/, '/metrics'))).text();
    const metric = (name: string) => Number(new RegExp(`^hubgraph_process_${name} (\\S+)`, 'm').exec(text)?.[1] ?? NaN);
    return { heapTotal: metric('nodejs_heap_size_total_bytes'), heapUsed: metric('nodejs_heap_size_used_bytes'), external: metric('nodejs_external_memory_bytes') };
  } catch {
    return undefined;
  }
}

export interface SessionsRun {
  n: number;
  hubgraph: HubgraphSessions | { error: string };
  floor: RssFigures | { error: string };
}

export interface LatencyRun {
  /** `send` over HTTP (the target's row) */
  sendToOutside: Summary;
  /** when the send mutation's HTTP reply arrived (client-side) */
  sendMutation: Summary;
  /** `send` over the subscriber's graphql-ws socket */
  sendToOutsideWs?: Summary;
  sendMutationWs?: Summary;
  outsideToSubscriber: Summary;
  floorAtoB: Summary;
  floorBtoA: Summary;
}

export interface IrcResults {
  sessions: SessionsRun[];
  latency: LatencyRun | { error: string };
  hubgraphEnv: Record<string, string>;
  ngircd: Record<string, string>;
  inFlight: number;
  gapMs: number;
}

export interface IrcContext {
  redisUrl: string;
  redisPid: number | undefined;
  sizes: IrcSizes;
  progress(line: string): void;
  retiring(child: ChildServer): void;
}

function hubEnv(): Record<string, string> {
  return {
    HUBGRAPH_ALLOW_PRIVATE_ADDRESSES: '1',
    HUBGRAPH_JOB_TIMEOUT: '120000',
    HUBGRAPH_SESSION_THREADS: '2', // the default, written out
  };
}

const actor = (nick: string) => ({ id: `${nick}@${SERVER}`, type: 'person' });

/** At most `limit` holders at once. */
export class Gate {
  private free: number;
  private waiting: (() => void)[] = [];
  constructor(limit: number) {
    this.free = limit;
  }
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.free > 0) this.free--;
    else await new Promise<void>((r) => this.waiting.push(r));
    try {
      return await fn();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.free++;
    }
  }
}

/** TCP connects in flight at once: ngircd listens with a backlog of 10, and with SYN cookies on (this
 *  box) a connect that overflows it is reset instead of retried: the client sees ECONNRESET. */
export const CONNECTS_AT_ONCE = 20;
/** a connect reset that way is tried again, at most this often (counted in the results) */
const CONNECT_RETRIES = 3;

interface SessionCounters {
  retries: number;
}

/** openSession → setCredentials → connect → join; returns the token. */
export async function ircSession(http: HttpGql, port: number, nick: string, channel: string, gate?: Gate, counters?: SessionCounters): Promise<string> {
  const { openSession } = await http.run<{ openSession: { token: string } }>('mutation { openSession { token } }');
  const token = openSession.token;
  await http.runAs(token, SET, { a: `${nick}@${SERVER}`, c: { nick, server: SERVER, port, secure: false } });
  const connect = () => http.runAs(token, CONNECT, { input: { platform: 'irc', actor: actor(nick) } });
  for (let attempt = 0; ; attempt++) {
    try {
      await (gate ? gate.run(connect) : connect());
      break;
    } catch (err) {
      if (attempt >= CONNECT_RETRIES || !/ECONNRESET/.test((err as Error).message)) throw err;
      if (counters) counters.retries++;
      await sleep(50);
    }
  }
  await http.runAs(token, JOIN, { input: { platform: 'irc', actor: actor(nick), target: { id: `${channel}@${SERVER}`, type: 'room' } } });
  return token;
}

/** Latency of `{ __typename }` every LAG_TICK_MS until stopped (one request at a time). */
function lagProbe(url: string): { stop(): Promise<{ samples: number[]; failures: number }> } {
  const http = new HttpGql(url, undefined, 1);
  const samples: number[] = [];
  let failures = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const t = performance.now();
      try {
        await http.run('{ __typename }');
        samples.push(performance.now() - t);
      } catch {
        failures++;
      }
      const left = LAG_TICK_MS - (performance.now() - t);
      if (left > 0) await sleep(left);
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      http.close();
      return { samples, failures };
    },
  };
}

async function hubgraphSessions(ctx: IrcContext, n: number): Promise<HubgraphSessions> {
  const ircd = await startNgircd();
  let hub: HubgraphServer | undefined;
  try {
    hub = await startHubgraph({ redisUrl: ctx.redisUrl, platforms: 'irc', env: hubEnv(), nodeArgs: ['--inspect=127.0.0.1:0'] });
    const inspector = inspectorUrl(hub.child.stderrTail());
    const pid = hub.child.proc.pid!;
    const http = new HttpGql(hub.url, undefined, ctx.sizes.inFlight + 4);
    const warm = await ramp(WARM_UP_SESSIONS, WARM_UP_SESSIONS, async (i) => void (await ircSession(http, ircd.port, `w${i}`, '#warm')), 1);
    if (warm.failed) throw new Error(`IRC warm-up session failed: ${warm.firstError}`);
    // a full GC in every isolate first (inspector), so that both sides start from a collected heap
    let gcBefore: HubgraphSessions['gcBefore'];
    try {
      if (!inspector) throw new Error('no inspector address on stderr');
      gcBefore = { isolates: await gcAndHeaps(inspector), rss: treeRss(pid).bytes };
    } catch (err) {
      gcBefore = { error: (err as Error).message };
    }
    await sleep(1000);
    const before = treeRss(pid);
    ctx.progress(`  hubgraph: ${n} IRC sessions, ${ctx.sizes.inFlight} in flight (RSS before ${(before.bytes / 2 ** 20).toFixed(0)} MiB)`);
    const metricsBefore = await mainHeap(hub.url);
    const redisBefore = ctx.redisPid ? vmRssBytes(ctx.redisPid) : undefined;
    const probe = lagProbe(hub.url);
    let lastReport = performance.now();
    const gate = new Gate(CONNECTS_AT_ONCE);
    const counters = { retries: 0 };
    const r = await ramp(n, ctx.sizes.inFlight, async (i) => {
      await ircSession(http, ircd.port, `h${i}`, `#c${Math.floor(i / 10)}`, gate, counters);
      if (performance.now() - lastReport > 10_000) {
        lastReport = performance.now();
        ctx.progress(`    ${i} started, RSS ${(treeRss(pid).bytes / 2 ** 20).toFixed(0)} MiB`);
      }
    });
    const during = await probe.stop();
    const probeAfter = lagProbe(hub.url);
    await sleep(SETTLE_MS);
    const after = await probeAfter.stop();
    const rss = treeRss(pid);
    const metricsAfter = await mainHeap(hub.url);
    const redisAfter = ctx.redisPid ? vmRssBytes(ctx.redisPid) : undefined;
    http.close();
    assertAlive(hub.child);
    let afterGc: HubgraphSessions['afterGc'];
    let gcFigures: { afterGcRss?: number; liveHeapPerSession?: number } = {};
    try {
      if (!inspector) throw new Error('no inspector address on stderr');
      const isolates = await gcAndHeaps(inspector);
      afterGc = { isolates, rss: treeRss(pid).bytes };
      if (gcBefore && !('error' in gcBefore)) {
        const used = (l: IsolateHeap[]) => l.reduce((a, i) => a + i.heapUsed, 0);
        gcFigures = { afterGcRss: afterGc.rss, liveHeapPerSession: (used(isolates) - used(gcBefore.isolates)) / Math.max(1, r.connected) };
      }
    } catch (err) {
      afterGc = { error: (err as Error).message };
    }
    const aborted = r.failed ? `${r.failed} sessions failed${r.failed >= STOP_AFTER_FAILURES ? ' (the ramp stopped there)' : ''}; first: ${r.firstError}` : undefined;
    return {
      connected: r.connected,
      failed: r.failed,
      ...(r.firstError ? { firstError: r.firstError } : {}),
      connectMs: r.ms,
      rssBefore: before.bytes,
      rssAfter: rss.bytes,
      processes: rss.processes,
      perSession: r.connected ? (rss.bytes - before.bytes) / r.connected : NaN,
      lagDuring: summarize(during.samples),
      lagAfter: summarize(after.samples),
      lagFailures: during.failures + after.failures,
      connectLatency: summarize(r.lat),
      connectRetries: counters.retries,
      mainHeapBefore: metricsBefore,
      mainHeapAfter: metricsAfter,
      afterGc,
      gcBefore,
      ...gcFigures,
      ...(redisBefore !== undefined && redisAfter !== undefined ? { redisRssBefore: redisBefore, redisRssAfter: redisAfter } : {}),
      ...(aborted ? { aborted } : {}),
    };
  } catch (err) {
    if (hub) {
      await sleep(500);
      assertAlive(hub.child);
    }
    throw err;
  } finally {
    await retireHubgraph(hub, ctx);
    await ircd.stop();
  }
}

/** The floor: N plain irc-framework clients in a child process of their own. */
async function floorSessions(ctx: IrcContext, n: number): Promise<RssFigures> {
  const ircd = await startNgircd();
  const proc = spawn(process.execPath, ['--expose-gc', FLOOR_CLIENTS], { stdio: ['pipe', 'pipe', 'pipe'] });
  const kill = () => proc.kill('SIGKILL');
  process.once('exit', kill);
  let stderr = '';
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-4000)));
  const lines = createInterface({ input: proc.stdout! });
  const replies: ((v: Record<string, unknown>) => void)[] = [];
  const exited = new Promise<never>((_, reject) => proc.once('exit', (code) => reject(new Error(`floor clients exited (${code}):\n${stderr}`))));
  lines.on('line', (l) => replies.shift()?.(JSON.parse(l) as Record<string, unknown>));
  const reply = () => Promise.race([new Promise<Record<string, unknown>>((r) => replies.push(r)), exited]);
  const connect = (count: number, nickPrefix: string, channelPrefix: string) => {
    const answer = reply();
    proc.stdin!.write(`${JSON.stringify({ cmd: 'connect', host: SERVER, port: ircd.port, count, inFlight: ctx.sizes.inFlight, connectsAtOnce: CONNECTS_AT_ONCE, nickPrefix, channelPrefix })}\n`);
    return answer;
  };
  try {
    await reply(); // ready
    await connect(WARM_UP_SESSIONS, 'w', 'warm');
    const gc = async () => {
      const answer = reply();
      proc.stdin!.write(`${JSON.stringify({ cmd: 'gc' })}\n`);
      return (await answer) as { heapUsed: number };
    };
    const heapBefore = await gc(); // as hubgraph's isolates are collected before its ramp
    await sleep(1000);
    const pid = proc.pid!;
    const before = vmRssBytes(pid) ?? NaN;
    ctx.progress(`  floor: ${n} irc-framework clients in one process`);
    const r = (await connect(n, 'f', 'c')) as { connected: number; failed: number; retries: number; firstError?: string; ms: number };
    await sleep(SETTLE_MS);
    const after = vmRssBytes(pid) ?? NaN;
    const heapAfter = await gc();
    return {
      afterGcRss: vmRssBytes(pid) ?? NaN,
      liveHeapPerSession: (heapAfter.heapUsed - heapBefore.heapUsed) / r.connected,
      connected: r.connected,
      failed: r.failed,
      ...(r.firstError ? { firstError: r.firstError } : {}),
      connectMs: r.ms,
      rssBefore: before,
      rssAfter: after,
      processes: 1,
      perSession: r.connected ? (after - before) / r.connected : NaN,
      connectRetries: r.retries,
    };
  } finally {
    process.off('exit', kill);
    exited.catch(() => undefined);
    proc.kill('SIGKILL');
    await ircd.stop();
  }
}

/** irc-framework's say (not in the platform's declarations) */
const say = (c: irc.Client, target: string, message: string) => (c as unknown as { say(t: string, m: string): void }).say(target, message);

function floorClient(port: number, nick: string, channel: string): Promise<irc.Client> {
  return new Promise((resolve, reject) => {
    const client = new irc.Client();
    const timer = setTimeout(() => reject(new Error(`${nick} not joined within 10 s`)), 10_000);
    client.on('registered', () => client.join(channel));
    client.on('join', (e: irc.IrcEvent) => {
      if (e.nick !== client.user.nick) return;
      clearTimeout(timer);
      resolve(client);
    });
    client.connect({ host: SERVER, port, tls: false, nick, username: nick, gecos: nick, auto_reconnect: false });
  });
}

/** Resolves when `wait` has a matching content; a map from content to resolver. */
class Waiters {
  private map = new Map<string, (t: number) => void>();
  arrive(content: string): void {
    const t = performance.now();
    const w = this.map.get(content);
    if (w) {
      this.map.delete(content);
      w(t);
    }
  }
  wait(content: string, timeoutMs = 10_000): Promise<number> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.map.delete(content);
        reject(new Error(`"${content}" did not arrive within ${timeoutMs} ms`));
      }, timeoutMs);
      this.map.set(content, (t) => {
        clearTimeout(timer);
        resolve(t);
      });
    });
  }
}

async function latency(ctx: IrcContext): Promise<LatencyRun> {
  const ircd = await startNgircd();
  let hub: HubgraphServer | undefined;
  const closers: (() => unknown)[] = [];
  try {
    hub = await startHubgraph({ redisUrl: ctx.redisUrl, platforms: 'irc', env: hubEnv() });
    const http = new HttpGql(hub.url, undefined, 4);
    closers.push(() => http.close());
    const outsider = await RawIrc.connect(SERVER, ircd.port, 'outsider');
    closers.push(() => outsider.close());
    await outsider.join('#lat');
    const token = await ircSession(http, ircd.port, 'lat', '#lat');
    const atOutsider = new Waiters();
    outsider.onLine((l) => {
      const i = l.indexOf(' PRIVMSG #lat :');
      if (i >= 0) atOutsider.arrive(l.slice(i + ' PRIVMSG #lat :'.length));
    });
    const atSubscriber = new Waiters();
    const ws = createClient({ url: hub.wsUrl, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, lazy: false, retryAttempts: 0 });
    closers.push(() => ws.dispose());
    ws.subscribe<{ activities: { type: string; object?: { content?: string } } }>(
      { query: 'subscription { activities(platform: "irc") { type object { content } } }' },
      {
        next: (r) => {
          const c = r.data?.activities.object?.content;
          if (r.data?.activities.type === 'send' && typeof c === 'string') atSubscriber.arrive(c);
        },
        error: () => undefined,
        complete: () => undefined,
      },
    );
    // the subscription is live once a message reaches it
    for (let k = 0; ; k++) {
      const seen = atSubscriber.wait(`probe-${k}`, 300).then(() => true, () => false);
      outsider.send(`PRIVMSG #lat :probe-${k}`);
      if (await seen) break;
      if (k > 30) throw new Error('the subscriber never received a message from the outside client');
    }
    const a = await floorClient(ircd.port, 'floora', '#flat');
    closers.push(() => a.quit());
    const b = await floorClient(ircd.port, 'floorb', '#flat');
    closers.push(() => b.quit());
    const atA = new Waiters();
    const atB = new Waiters();
    a.on('message', (e: irc.IrcEvent) => atA.arrive(String(e.message)));
    b.on('message', (e: irc.IrcEvent) => atB.arrive(String(e.message)));

    const warm = 5;
    const out: number[] = [];
    const mut: number[] = [];
    const outWs: number[] = [];
    const mutWs: number[] = [];
    const inbound: number[] = [];
    const ab: number[] = [];
    const ba: number[] = [];
    const sendInput = (content: string) => ({ input: { platform: 'irc', actor: actor('lat'), target: { id: `#lat@${SERVER}`, type: 'room' }, object: { type: 'message', content } } });
    const overWs = (variables: Record<string, unknown>) =>
      new Promise<void>((resolve, reject) => {
        let failed: unknown;
        ws.subscribe({ query: SEND, variables }, {
          next: (r) => { if (r.errors?.length) failed = r.errors; },
          error: reject,
          complete: () => (failed ? reject(new Error(`GraphQL error: ${JSON.stringify(failed)}`)) : resolve()),
        });
      });
    // send → outside client, then outside PRIVMSG → subscriber
    const hubgraphLegs = async (i: number, keep: boolean, viaWs: boolean) => {
      let t = performance.now();
      const got = atOutsider.wait(`out-${i}`);
      if (viaWs) await overWs(sendInput(`out-${i}`));
      else await http.runAs(token, SEND, sendInput(`out-${i}`));
      const replied = performance.now();
      const arrived = await got;
      if (keep) {
        (viaWs ? outWs : out).push(arrived - t);
        (viaWs ? mutWs : mut).push(replied - t);
      }
      t = performance.now();
      const sub = atSubscriber.wait(`in-${i}`);
      outsider.send(`PRIVMSG #lat :in-${i}`);
      const subAt = await sub;
      if (keep) inbound.push(subAt - t);
    };
    // floor: A → B, then B → A
    const floorLegs = async (i: number, keep: boolean) => {
      let t = performance.now();
      const atBGot = atB.wait(`fa-${i}`);
      say(a, '#flat', `fa-${i}`);
      const tb = await atBGot;
      if (keep) ab.push(tb - t);
      t = performance.now();
      const atAGot = atA.wait(`fb-${i}`);
      say(b, '#flat', `fb-${i}`);
      const ta = await atAGot;
      if (keep) ba.push(ta - t);
    };
    ctx.progress(`  latency: ${ctx.sizes.latencySamples} iterations, one every ${ctx.sizes.gapMs} ms (flood control: burst 5, then a line per 500 ms)`);
    for (let i = 0; i < warm + ctx.sizes.latencySamples; i++) {
      const start = performance.now();
      const keep = i >= warm;
      const viaWs = i % 2 === 1;
      if (Math.floor(i / 2) % 2 === 0) {
        await hubgraphLegs(i, keep, viaWs);
        await floorLegs(i, keep);
      } else {
        await floorLegs(i, keep);
        await hubgraphLegs(i, keep, viaWs);
      }
      const left = ctx.sizes.gapMs - (performance.now() - start);
      if (left > 0) await sleep(left);
    }
    assertAlive(hub.child);
    return {
      sendToOutside: summarize(out), sendMutation: summarize(mut), sendToOutsideWs: summarize(outWs), sendMutationWs: summarize(mutWs),
      outsideToSubscriber: summarize(inbound), floorAtoB: summarize(ab), floorBtoA: summarize(ba),
    };
  } finally {
    await closeAll(closers);
    await retireHubgraph(hub, ctx);
    await ircd.stop();
  }
}

export async function runIrc(ctx: IrcContext): Promise<IrcResults> {
  ctx.progress('IRC: send / receive latency against the floor (two irc-framework clients)');
  const lat = await attempt(ctx.progress, 'latency', () => latency(ctx));
  const sessions: SessionsRun[] = [];
  for (const n of ctx.sizes.sessions) {
    ctx.progress(`IRC: ${n.toLocaleString('en-US')} sessions against ${n.toLocaleString('en-US')} irc-framework clients`);
    const hubgraph = await attempt(ctx.progress, 'hubgraph', () => hubgraphSessions(ctx, n), (h) => rampSaid(h) + (h.aborted ? `; ${h.aborted}` : ''));
    const floor = await attempt(ctx.progress, 'floor', () => floorSessions(ctx, n), rampSaid);
    sessions.push({ n, hubgraph, floor });
  }
  return { sessions, latency: lat, hubgraphEnv: { HUBGRAPH_PLATFORMS: 'irc', ...hubEnv() }, ngircd: { ...NGIRCD_LIMITS }, inFlight: ctx.sizes.inFlight, gapMs: ctx.sizes.gapMs };
}
