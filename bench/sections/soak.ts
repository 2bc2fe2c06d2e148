// Section 8: soak (issue 6). One hubgraph (role all, HUBGRAPH_PLATFORMS=irc) and a local ngircd;
// N = 200 IRC sessions (ten per channel), each with its own WebSocket subscriber, each sending a
// message every few seconds, for a set time (10 minutes; 1 with --quick). Every sampling interval:
// the live heap of every isolate after a full GC (inspector), RSS, and the latency of a trivial
// query (event-loop lag seen from outside). The run fails when the live heap keeps growing.
// Then the IRC server restarts under the N sessions: how long until all are back, and how many
// reconnects arrived in the busiest second (no storm: the platform's backoff has jitter). The same
// for N XMPP sessions (each with a subscriber) when their Prosody restarts.
import WebSocket from 'ws';
import { startHubgraph } from '../support/hubgraph.js';
import { startNgircd } from '../support/ngircd.js';
import { HttpGql } from '../support/http-gql.js';
import { gcAndHeaps, inspectorUrl } from '../support/inspect.js';
import { vmRssBytes } from '../support/rss.js';
import { sleep } from '../support/pause.js';
import { dropPrefix } from '../support/redis.js';
import { summarize, type Summary } from '../support/stats.js';
import { CONNECTS_AT_ONCE, Gate, ircSession } from './irc.js';
import { ramp } from '../support/ramp.js';
import { startProsody } from '../../test/support/prosody.js';

export interface SoakSizes {
  sessions: number;
  minutes: number;
  sampleEverySeconds: number;
  /** each session sends one message this often */
  sendEveryMs: number;
}

export interface SoakSample {
  atSeconds: number;
  liveHeapMiB: number;
  rssMiB: number;
  lag: Summary;
  sent: number;
  delivered: number;
}

export interface SoakResults {
  sessions: number;
  minutes: number;
  samples: SoakSample[];
  /** live heap at the end minus its lowest point after the first third (MiB) */
  heapGrowthMiB: number;
  heapBounded: boolean;
  sent: number;
  sendErrors: number;
  delivered: number;
  /** deliveries expected: each message reaches the ten sessions of its channel (the sender's own copy included) */
  expectedDeliveries: number;
  subscriberErrors: string[];
  storm: Storm;
  /** the same restart with N XMPP sessions on a Prosody */
  xmppStorm: Storm | { error: string };
}

export interface Storm {
  reconnectedMs: number | null;
  back: number;
  peakPerSecond: number;
  spreadMs: number | null;
}

export interface SoakContext {
  redisUrl: string;
  sizes: SoakSizes;
  progress(line: string): void;
}

const PER_CHANNEL = 10;
const SERVER = '127.0.0.1';
const SEND = 'mutation($input: ActivityInput!) { send(input: $input) { id } }';

interface Listener {
  ws: WebSocket;
  delivered: number;
  connects: number[];
  errors: string[];
}

function listen(wsUrl: string, token: string, platform = 'irc'): Promise<Listener> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(wsUrl, 'graphql-transport-ws');
    const l: Listener = { ws, delivered: 0, connects: [], errors: [] };
    ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } })));
    ws.on('message', (data: Buffer) => {
      const text = data.toString('utf8');
      if (text.startsWith('{"type":"connection_ack"')) {
        ws.send(JSON.stringify({ id: '1', type: 'subscribe', payload: { query: `subscription { activities(platform: "${platform}") { type } }` } }));
        resolve(l);
        return;
      }
      if (text.includes('"type":"next"')) {
        if (text.includes('"type":"send"')) l.delivered++;
        else if (text.includes('"type":"connect"')) l.connects.push(Date.now());
        if (text.includes('"errors"')) l.errors.push(text.slice(0, 200));
      } else if (text.includes('"type":"error"') || text.includes('"type":"complete"')) l.errors.push(text.slice(0, 200));
    });
    ws.once('error', reject);
    ws.on('close', (code) => { if (code !== 1000) l.errors.push(`closed ${code}`); });
  });
}

export async function runSoak(ctx: SoakContext): Promise<SoakResults> {
  const { sessions: n, minutes, sampleEverySeconds, sendEveryMs } = ctx.sizes;
  const ircd = await startNgircd();
  const hub = await startHubgraph({ redisUrl: ctx.redisUrl, platforms: 'irc', env: { HUBGRAPH_ALLOW_PRIVATE_ADDRESSES: '1', HUBGRAPH_JOB_TIMEOUT: '60000' }, nodeArgs: ['--inspect=127.0.0.1:0'] });
  const listeners: Listener[] = [];
  try {
    const inspector = inspectorUrl(hub.child.stderrTail());
    if (!inspector) throw new Error('no inspector address on the hubgraph stderr');
    const http = new HttpGql(hub.url, undefined, CONNECTS_AT_ONCE + 8);
    const gate = new Gate(CONNECTS_AT_ONCE);
    const tokens: string[] = new Array(n);
    ctx.progress(`soak: ${n} IRC sessions (${n / PER_CHANNEL} channels), each with a subscriber`);
    const connected = await ramp(n, CONNECTS_AT_ONCE, async (i) => {
      tokens[i] = await ircSession(http, ircd.port, `soak${i}`, `#soak${Math.floor(i / PER_CHANNEL)}`, gate);
    });
    if (connected.failed) throw new Error(`${connected.failed} soak sessions failed: ${connected.firstError}`);
    for (const t of tokens) listeners.push(await listen(hub.wsUrl, t));

    let sent = 0;
    let sendErrors = 0;
    let running = true;
    // each session sends every sendEveryMs, the sessions spread evenly over that time
    const senders = tokens.map(async (token, i) => {
      await sleep((i / n) * sendEveryMs);
      let k = 0;
      while (running) {
        const t = performance.now();
        try {
          await http.runAs(token, SEND, { input: { platform: 'irc', actor: { id: `soak${i}@${SERVER}`, type: 'person' }, target: { id: `#soak${Math.floor(i / PER_CHANNEL)}@${SERVER}`, type: 'room' }, object: { type: 'message', content: `soak ${i} ${k++}` } } });
          sent++;
        } catch {
          sendErrors++;
        }
        const left = sendEveryMs - (performance.now() - t);
        if (left > 0 && running) await sleep(left);
      }
    });

    const samples: SoakSample[] = [];
    const t0 = performance.now();
    const end = t0 + minutes * 60_000;
    ctx.progress(`soak: ${minutes} min of traffic, a sample every ${sampleEverySeconds} s`);
    while (performance.now() < end) {
      const lagSamples: number[] = [];
      const until = Math.min(end, performance.now() + sampleEverySeconds * 1000);
      const probe = new HttpGql(hub.url, undefined, 1);
      while (performance.now() < until) {
        const t = performance.now();
        await probe.run('{ __typename }');
        lagSamples.push(performance.now() - t);
        await sleep(50);
      }
      probe.close();
      const heaps = await gcAndHeaps(inspector);
      const sample: SoakSample = {
        atSeconds: Math.round((performance.now() - t0) / 1000),
        liveHeapMiB: heaps.reduce((sum, h) => sum + h.heapUsed, 0) / 2 ** 20,
        rssMiB: (vmRssBytes(hub.child.proc.pid!) ?? 0) / 2 ** 20,
        lag: summarize(lagSamples),
        sent,
        delivered: listeners.reduce((sum, l) => sum + l.delivered, 0),
      };
      samples.push(sample);
      ctx.progress(`soak: ${sample.atSeconds} s: live heap ${sample.liveHeapMiB.toFixed(1)} MiB, RSS ${sample.rssMiB.toFixed(0)} MiB, lag p99 ${sample.lag.p99.toFixed(1)} ms, ${sent} sent`);
    }
    running = false;
    await Promise.all(senders);
    await sleep(2000); // the last messages arrive
    const delivered = listeners.reduce((sum, l) => sum + l.delivered, 0);
    const subscriberErrors = listeners.flatMap((l) => l.errors).slice(0, 10);

    // the heap's floor after the first third against the end: a leak keeps raising it
    const settled = samples.slice(Math.floor(samples.length / 3));
    const floor = Math.min(...settled.map((s) => s.liveHeapMiB));
    const last = samples[samples.length - 1]?.liveHeapMiB ?? floor;
    const heapGrowthMiB = last - floor;

    // the IRC server restarts under all the sessions
    ctx.progress(`soak: restarting the IRC server under ${n} sessions`);
    const storm = await restartUnder(listeners, () => ircd.restart());
    http.close();
    let xmppStorm: SoakResults['xmppStorm'];
    try {
      xmppStorm = await xmppRestart(ctx, n);
    } catch (err) {
      xmppStorm = { error: (err as Error).message };
    }

    return {
      sessions: n,
      minutes,
      samples,
      heapGrowthMiB,
      heapBounded: heapGrowthMiB <= Math.max(16, floor * 0.2),
      sent,
      sendErrors,
      delivered,
      expectedDeliveries: sent * PER_CHANNEL,
      subscriberErrors,
      storm,
      xmppStorm,
    };
  } finally {
    for (const l of listeners) l.ws.terminate();
    await hub.child.stop();
    await ircd.stop();
    await dropPrefix(ctx.redisUrl, hub.prefix).catch(() => {});
  }
}

/** Restarts a server under the listeners' sessions; when each one's `connect` came back. */
async function restartUnder(listeners: Listener[], restart: () => Promise<void>): Promise<Storm> {
  for (const l of listeners) l.connects.length = 0;
  const restartAt = Date.now();
  await restart();
  const deadline = Date.now() + 120_000;
  while (Date.now() < deadline && listeners.some((l) => l.connects.length === 0)) await sleep(100);
  const times = listeners.map((l) => l.connects[0]).filter((t): t is number => t !== undefined).sort((a, b) => a - b);
  const perSecond = new Map<number, number>();
  for (const t of times) perSecond.set(Math.floor((t - restartAt) / 1000), (perSecond.get(Math.floor((t - restartAt) / 1000)) ?? 0) + 1);
  const n = listeners.length;
  const back = times.length;
  return {
    reconnectedMs: back === n ? (times[n - 1] as number) - restartAt : null,
    back,
    peakPerSecond: Math.max(0, ...perSecond.values()),
    spreadMs: back > 1 ? (times[back - 1] as number) - (times[0] as number) : null,
  };
}

/** N XMPP sessions, each with a subscriber, on a Prosody that then restarts. */
async function xmppRestart(ctx: SoakContext, n: number): Promise<Storm> {
  ctx.progress(`soak: ${n} XMPP sessions, then their Prosody restarts`);
  const server = await startProsody();
  const hub = await startHubgraph({ redisUrl: ctx.redisUrl, platforms: 'xmpp', env: { HUBGRAPH_ALLOW_PRIVATE_ADDRESSES: '1', HUBGRAPH_JOB_TIMEOUT: '60000' } });
  const listeners: Listener[] = [];
  try {
    const http = new HttpGql(hub.url, undefined, CONNECTS_AT_ONCE + 4);
    const tokens: string[] = new Array(n);
    const run = await ramp(n, CONNECTS_AT_ONCE, async (i) => {
      const user = `soak${i}`;
      await server.register(user, `${user}pass`);
      const { openSession } = await http.run<{ openSession: { token: string } }>('mutation { openSession { token } }');
      const actor = { id: `${user}@${server.domain}`, type: 'person' };
      await http.runAs(openSession.token, 'mutation($a: String!, $c: JSON!) { setCredentials(platform: "xmpp", actor: $a, credentials: $c) }', { a: actor.id, c: { userAddress: actor.id, password: `${user}pass`, resource: 'soak', server: server.host, port: server.port } });
      await http.runAs(openSession.token, 'mutation($input: ActivityInput!) { connect(input: $input) { id } }', { input: { platform: 'xmpp', actor } });
      tokens[i] = openSession.token;
    });
    http.close();
    if (run.failed) throw new Error(`${run.failed} XMPP soak sessions failed: ${run.firstError}`);
    for (const t of tokens) listeners.push(await listen(hub.wsUrl, t, 'xmpp'));
    await sleep(1000);
    return await restartUnder(listeners, () => server.restart());
  } finally {
    for (const l of listeners) l.ws.terminate();
    await hub.child.stop();
    await server.stop();
    await dropPrefix(ctx.redisUrl, hub.prefix).catch(() => {});
  }
}
