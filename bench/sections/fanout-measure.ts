// One fan-out row: S subscribers of one subscription on one server, then
//   bursts: the server is asked for N events per subscriber at once; the rate is N×S frames over
//           the time from the request to the last frame received (the client counts every frame);
//   paced:  events offered at half the measured rate, in 20 ms ticks, to read latency from the
//           event's `published` time to its receipt (under a burst, latency is just queue length).
// It also checks delivery: frames lost or extra, out of order, GraphQL errors, early closes.
import { cpuMeter, type CpuShare } from '../support/cpu.js';
import { Subscribers } from '../support/raw-subscribers.js';
import { sleep } from '../support/pause.js';
import { median, summarize, type Summary } from '../support/stats.js';

export interface FanoutTarget {
  name: string;
  wsUrl: string;
  init: Record<string, unknown>;
  query: string;
  emit(n: number): Promise<void>;
  /** processes whose CPU is recorded (server, redis-server, client) */
  pids: Record<string, number | undefined>;
  /** throws when the server died */
  assertAlive(): void;
}

export interface Burst {
  frames: number;
  received: number;
  elapsedMs: number;
  /** frames per second, all subscribers together */
  rate: number;
  /** frames that arrived after the expected count was reached (repeats) */
  extra: number;
  latency: Summary;
  cpu: CpuShare;
}

export interface Paced {
  offeredPerSubscriber: number;
  frames: number;
  received: number;
  extra: number;
  latency: Summary;
  cpu: CpuShare;
}

export interface FanoutRow {
  target: string;
  subscribers: number;
  eventsPerBurst: number;
  bursts: Burst[];
  /** median burst rate, frames/s over all subscribers (0 when a burst lost frames) */
  rate: number;
  paced: Paced | undefined;
  lost: number;
  extra: number;
  outOfOrder: number;
  /** frames whose cursor had no numeric shape (their order was not checked) */
  unorderable: number;
  errors: string[];
  closes: Record<string, number>;
  frameBytes: number;
  sampleFrame: string | undefined;
}

const TICK_MS = 20;
const QUIET_MS = 200;
/** frames in the warm-up burst, at least (the JIT of both ends must be warm before the first burst) */
const WARM_UP_FRAMES = 5000;

/** A failed emit against a dead server reports the crash, not the refused connection. */
async function emitChecked(target: FanoutTarget, n: number): Promise<void> {
  try {
    await target.emit(n);
  } catch (err) {
    await sleep(500); // the exit event may trail the refused request
    target.assertAlive();
    throw err;
  }
}

/** Time allowed for `frames` to arrive: generous, but bounded. */
const allowance = (frames: number) => Math.min(60_000, 10_000 + frames / 5);

/** graphql-ws gives no acknowledgement of a subscription: emit probes until every subscriber got one. */
async function untilAllSubscribed(subs: Subscribers, target: FanoutTarget): Promise<void> {
  for (let attempt = 0; attempt < 30; attempt++) {
    subs.reset({ latency: false });
    await emitChecked(target, 1);
    await subs.waitForTotal(subs.size, 1000);
    if (subs.behind(1) === 0) {
      await sleep(QUIET_MS);
      return;
    }
  }
  throw new Error(`${target.name}: ${subs.behind(1)} of ${subs.size} subscribers never received an event`);
}

async function burst(subs: Subscribers, target: FanoutTarget, events: number): Promise<Burst> {
  const frames = events * subs.size;
  subs.reset({ latency: true });
  const meter = cpuMeter(target.pids);
  const t0 = performance.now();
  const arrived = subs.waitForTotal(frames, allowance(frames));
  await emitChecked(target, events);
  await arrived;
  const elapsedMs = performance.now() - t0;
  const cpu = meter();
  const received = Math.min(subs.received, frames);
  await sleep(QUIET_MS);
  return {
    frames,
    received,
    elapsedMs,
    rate: (received / elapsedMs) * 1000,
    extra: Math.max(0, subs.received - frames),
    latency: summarize(subs.takeLatencies()),
    cpu,
  };
}

async function paced(subs: Subscribers, target: FanoutTarget, perSubscriber: number, durationMs: number): Promise<Paced> {
  const perTick = Math.max(1, Math.round((perSubscriber * TICK_MS) / 1000));
  const ticks = Math.max(1, Math.round(durationMs / TICK_MS));
  subs.reset({ latency: true });
  const meter = cpuMeter(target.pids);
  const t0 = performance.now();
  for (let i = 0; i < ticks; i++) {
    await emitChecked(target, perTick);
    const wait = t0 + (i + 1) * TICK_MS - performance.now();
    if (wait > 0) await sleep(wait);
  }
  const frames = ticks * perTick * subs.size;
  await subs.waitForTotal(frames, allowance(frames));
  const cpu = meter();
  const received = Math.min(subs.received, frames);
  await sleep(QUIET_MS);
  const extra = Math.max(0, subs.received - frames);
  return { offeredPerSubscriber: (perTick * 1000) / TICK_MS, frames, received, extra, latency: summarize(subs.takeLatencies()), cpu };
}

export async function measureFanout(
  target: FanoutTarget,
  subscribers: number,
  events: number,
  runs: { bursts: number; pacedMs: number },
): Promise<FanoutRow> {
  const subs = await Subscribers.open({ url: target.wsUrl, init: target.init, query: target.query, count: subscribers });
  try {
    await untilAllSubscribed(subs, target);
    await burst(subs, target, Math.ceil(Math.max(events / 10, WARM_UP_FRAMES / subscribers))); // warm-up
    const bursts: Burst[] = [];
    for (let i = 0; i < runs.bursts; i++) {
      const b = await burst(subs, target, events);
      target.assertAlive();
      bursts.push(b);
      if (b.received < b.frames) break;
    }
    const lost = bursts.reduce((n, b) => n + b.frames - b.received, 0);
    const rate = lost ? 0 : median(bursts.map((b) => b.rate));
    const p = lost ? undefined : await paced(subs, target, (rate / subscribers) / 2, runs.pacedMs);
    target.assertAlive();
    return {
      target: target.name,
      subscribers,
      eventsPerBurst: events,
      bursts,
      rate,
      paced: p,
      lost: lost + (p ? p.frames - p.received : 0),
      extra: bursts.reduce((n, b) => n + b.extra, 0) + (p?.extra ?? 0),
      outOfOrder: subs.outOfOrder,
      unorderable: subs.unorderable,
      errors: subs.errors.slice(0, 20),
      closes: Object.fromEntries([...subs.closes].map(([code, n]) => [String(code), n])),
      frameBytes: subs.sample ? Buffer.byteLength(subs.sample) : 0,
      sampleFrame: subs.sample,
    };
  } finally {
    await subs.close();
  }
}
