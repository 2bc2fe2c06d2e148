// Turns the measurements into table rows, with the targets the project set.
import { availableParallelism } from 'node:os';
import type { LoadResult } from './support/load.js';
import { fmt, type Row } from './support/table.js';
import type { QueueResults } from './queue/section.js';
import type { VerbResults } from './sections/verb-http.js';
import type { FanoutPair } from './sections/fanout.js';
import type { FanoutRow } from './sections/fanout-measure.js';
import type { FetchResults, FetchRun } from './sections/fetch.js';
import type { IrcResults } from './sections/irc.js';
import { ircRows } from './report-irc.js';
import type { ScaleResults } from './sections/scale.js';
import { scaleRows } from './report-scale.js';
import type { SoakResults } from './sections/soak.js';
import { soakRows } from './report-soak.js';

const VERB_P50_MS = 2;
const ONE_SUBSCRIBER_RATE = 30_000;
const THOUSAND_TOTAL_RATE = 100_000;
const THOUSAND_FLOOR_RATIO = 2.5;
const P99_MS = 50;
/** issue 3: client included, 20 concurrent clients, cache off */
const METADATA_P50_MS = 2.5;
const METADATA_RATE = 1000;
const FEED_P50_MS = 4.5;
const FEED_RATE = 500;

const info = (section: string, what: string, value: number | null, figure: string, unit: string): Row => ({ section, what, value, figure, unit });

function verbRows(section: string, r: VerbResults): Row[] {
  const s = r.sequential;
  const c = r.concurrent;
  return [
    {
      section,
      what: `${s.calls} sequential: p50`,
      value: s.latency.p50,
      figure: fmt.ms(s.latency.p50),
      unit: 'ms',
      target: `≤ ${VERB_P50_MS} ms`,
      pass: s.latency.p50 <= VERB_P50_MS,
    },
    info(section, `${s.calls} sequential: p95 / p99`, s.latency.p99, `${fmt.ms(s.latency.p95)} / ${fmt.ms(s.latency.p99)}`, 'ms'),
    info(section, `${s.calls} sequential: rate`, s.rate, fmt.rate(s.rate), 'calls/s'),
    ...concurrentRows(section, c),
  ];
}

function concurrentRows(section: string, c: LoadResult): Row[] {
  return [
    info(section, `${c.calls} with ${c.inFlight} in flight: throughput`, c.rate, fmt.rate(c.rate), 'calls/s'),
    info(section, `${c.calls} with ${c.inFlight} in flight: p50 / p99`, c.latency.p99, `${fmt.ms(c.latency.p50)} / ${fmt.ms(c.latency.p99)}`, 'ms'),
  ];
}

function queueRows(q: QueueResults): Row[] {
  const floor = 'BullMQ→Piscina: floor, pool.run';
  const bull = 'BullMQ→Piscina: queued';
  const ratio = 'BullMQ→Piscina: queued vs floor';
  const p = q.piscina;
  const b = q.bullmq;
  return [
    info(floor, `${p.sequential.calls} sequential: p50 / p99`, p.sequential.latency.p50, `${fmt.ms(p.sequential.latency.p50)} / ${fmt.ms(p.sequential.latency.p99)}`, 'ms'),
    info(floor, `${p.concurrent.calls} with ${p.concurrent.inFlight} in flight: throughput`, p.concurrent.rate, fmt.rate(p.concurrent.rate), 'calls/s'),
    info(bull, `${b.sequential.calls} sequential: p50 / p99`, b.sequential.latency.p50, `${fmt.ms(b.sequential.latency.p50)} / ${fmt.ms(b.sequential.latency.p99)}`, 'ms'),
    info(bull, `${b.sequential.calls} sequential: rate`, b.sequential.rate, fmt.rate(b.sequential.rate), 'calls/s'),
    ...concurrentRows(bull, b.concurrent),
    info(ratio, 'sequential p50: queued / floor', b.sequential.latency.p50 / p.sequential.latency.p50, fmt.ratio(b.sequential.latency.p50 / p.sequential.latency.p50), 'ratio'),
    info(ratio, 'sequential p50: queued − floor', b.sequential.latency.p50 - p.sequential.latency.p50, fmt.ms(b.sequential.latency.p50 - p.sequential.latency.p50), 'ms'),
    info(ratio, 'throughput in flight: floor / queued', p.concurrent.rate / b.concurrent.rate, fmt.ratio(p.concurrent.rate / b.concurrent.rate), 'ratio'),
  ];
}

function pathRows(http: VerbResults, q: QueueResults): Row[] {
  const section = 'verb over HTTP vs queued';
  const extra = http.sequential.latency.p50 - q.bullmq.sequential.latency.p50;
  return [info(section, 'sequential p50: HTTP − queued', extra, fmt.ms(extra), 'ms')];
}

function intact(section: string, r: FanoutRow): Row {
  const closes = Object.values(r.closes).reduce((a, b) => a + b, 0);
  const bad = r.lost + r.extra + r.outOfOrder + r.errors.length + closes;
  const reordered = r.unorderable ? `? (${r.unorderable} cursors not numeric)` : String(r.outOfOrder);
  return {
    section,
    what: 'hubgraph delivery: lost / extra / reordered / errors / closed',
    value: bad,
    figure: `${r.lost} / ${r.extra} / ${reordered} / ${r.errors.length} / ${closes}`,
    unit: 'frames',
    target: 'all 0',
    pass: bad === 0,
  };
}

function fanoutRows(pair: FanoutPair): Row[] {
  const { subscribers: s, hubgraph: h, floor: f } = pair;
  const section = `fan-out to ${s.toLocaleString('en-US')} subscriber${s === 1 ? '' : 's'}`;
  const frames = `${h.eventsPerBurst.toLocaleString('en-US')} events × ${s}`;
  const ratio = f.rate > 0 ? h.rate / f.rate : 0;
  const rows: Row[] = [];
  const rateRow: Row = { section, what: `hubgraph: delivered/s, all subscribers (${frames})`, value: h.rate, figure: fmt.rate(h.rate), unit: 'frames/s' };
  if (s === 1) Object.assign(rateRow, { target: `≥ ${fmt.rate(ONE_SUBSCRIBER_RATE)}`, pass: h.rate >= ONE_SUBSCRIBER_RATE });
  if (s === 1000) {
    Object.assign(rateRow, {
      target: `≥ ${fmt.rate(THOUSAND_TOTAL_RATE)} or ≥ ${THOUSAND_FLOOR_RATIO}× floor`,
      pass: h.rate >= THOUSAND_TOTAL_RATE || ratio >= THOUSAND_FLOOR_RATIO,
    });
  }
  rows.push(rateRow);
  if (s > 1) rows.push(info(section, 'hubgraph: delivered/s per subscriber', h.rate / s, fmt.rate(h.rate / s), 'frames/s'));
  rows.push(info(section, `floor: delivered/s, all subscribers (${frames})`, f.rate, fmt.rate(f.rate), 'frames/s'));
  rows.push(info(section, 'hubgraph / floor', ratio, fmt.ratio(ratio), 'ratio'));
  rows.push(latencyRow(section, 'hubgraph', h));
  rows.push({ ...latencyRow(section, 'floor', f), target: undefined, pass: undefined });
  rows.push(intact(`${section}`, h));
  return rows;
}

function latencyRow(section: string, name: string, r: FanoutRow): Row {
  const p = r.paced;
  if (!p) return { section, what: `${name}: latency (not measured: frames were lost)`, value: null, figure: '—', unit: 'ms', target: `p99 < ${P99_MS} ms`, pass: false };
  return {
    section,
    what: `${name}: latency p50 / p99, paced at ${fmt.rate(p.offeredPerSubscriber)} per subscriber`,
    value: p.latency.p99,
    figure: `${fmt.ms(p.latency.p50)} / ${fmt.ms(p.latency.p99)}`,
    unit: 'ms',
    target: `p99 < ${P99_MS} ms`,
    pass: p.latency.p99 < P99_MS,
  };
}

interface FetchTargets {
  p50Ms: number;
  rate: number;
}

/** CPU milliseconds one call cost a process during the concurrent run (cores busy × wall time / calls). */
function cpuPerCall(r: FetchRun, process: string): number | null {
  const cores = r.cpu[process];
  return typeof cores === 'number' && r.concurrent.calls ? (cores * r.concurrent.elapsedMs) / r.concurrent.calls : null;
}

/** Rows of one path: hubgraph with the cache off (the targets), the floor, the ratios, cached (info). */
function fetchRows(name: string, floorName: string, runs: { floor: FetchRun; off: FetchRun; cached: FetchRun }, t: FetchTargets): Row[] {
  const { floor: f, off: h, cached: c } = runs;
  const hub = `${name}: hubgraph, cache off`;
  const fl = `${name}: floor, ${floorName}`;
  const vs = `${name}: hubgraph vs floor`;
  const on = `${name}: hubgraph, cache on`;
  const k = h.concurrent.inFlight;
  const perCall = (n: number, r: FetchRun) => (r.upstream.calls ? n / r.upstream.calls : 0);
  const p50Ratio = h.sequential.latency.p50 / f.sequential.latency.p50;
  const rateRatio = f.concurrent.rate / h.concurrent.rate;
  const hubCpu = cpuPerCall(h, 'server');
  const floorCpu = cpuPerCall(f, 'client');
  const cpuRatio = hubCpu !== null && floorCpu ? hubCpu / floorCpu : null;
  const ms = (v: number | null) => (v === null ? '?' : fmt.ms(v));
  return [
    {
      section: hub,
      what: `${h.sequential.calls} sequential: p50`,
      value: h.sequential.latency.p50,
      figure: fmt.ms(h.sequential.latency.p50),
      unit: 'ms',
      target: `≤ ${t.p50Ms} ms`,
      pass: h.sequential.latency.p50 <= t.p50Ms,
    },
    info(hub, `${h.sequential.calls} sequential: p95 / p99`, h.sequential.latency.p99, `${fmt.ms(h.sequential.latency.p95)} / ${fmt.ms(h.sequential.latency.p99)}`, 'ms'),
    {
      section: hub,
      what: `${h.concurrent.calls} from ${k} clients: throughput`,
      value: h.concurrent.rate,
      figure: fmt.rate(h.concurrent.rate),
      unit: 'calls/s',
      target: `≥ ${fmt.rate(t.rate)}`,
      pass: h.concurrent.rate >= t.rate,
    },
    info(hub, `${h.concurrent.calls} from ${k} clients: p50 / p99`, h.concurrent.latency.p99, `${fmt.ms(h.concurrent.latency.p50)} / ${fmt.ms(h.concurrent.latency.p99)}`, 'ms'),
    info(hub, `CPU per call from ${k} clients (hubgraph process, all threads)`, hubCpu, ms(hubCpu), 'ms'),
    info(hub, 'upstream GETs / Redis commands per call', perCall(h.redis.commands, h), `${perCall(h.upstream.requests, h).toFixed(2)} / ${perCall(h.redis.commands, h).toFixed(1)}`, 'per call'),
    info(fl, `${f.sequential.calls} sequential: p50 / p95 / p99`, f.sequential.latency.p50, `${fmt.ms(f.sequential.latency.p50)} / ${fmt.ms(f.sequential.latency.p95)} / ${fmt.ms(f.sequential.latency.p99)}`, 'ms'),
    info(fl, `${f.concurrent.calls} with ${k} in flight: throughput`, f.concurrent.rate, fmt.rate(f.concurrent.rate), 'calls/s'),
    info(fl, `CPU per call with ${k} in flight (bench process)`, floorCpu, ms(floorCpu), 'ms'),
    // the ceiling the throughput target sits under: what the library's own work (GET + parse, no
    // gateway, no client of the gateway) needs at that rate, against the cores the machine has
    info(
      fl,
      `cores its own work needs at ${fmt.rate(t.rate)} (CPU per call × rate; this machine has ${availableParallelism()})`,
      floorCpu === null ? null : (floorCpu * t.rate) / 1000,
      floorCpu === null ? '?' : ((floorCpu * t.rate) / 1000).toFixed(2),
      'cores',
    ),
    info(vs, 'sequential p50: hubgraph / floor', p50Ratio, fmt.ratio(p50Ratio), 'ratio'),
    info(vs, 'sequential p50: hubgraph − floor', h.sequential.latency.p50 - f.sequential.latency.p50, fmt.ms(h.sequential.latency.p50 - f.sequential.latency.p50), 'ms'),
    info(vs, `throughput at ${k}: floor / hubgraph`, rateRatio, fmt.ratio(rateRatio), 'ratio'),
    info(vs, `CPU per call at ${k}: hubgraph / floor`, cpuRatio, cpuRatio === null ? '?' : fmt.ratio(cpuRatio), 'ratio'),
    info(on, `${c.sequential.calls} sequential: p50 / p95 / p99`, c.sequential.latency.p50, `${fmt.ms(c.sequential.latency.p50)} / ${fmt.ms(c.sequential.latency.p95)} / ${fmt.ms(c.sequential.latency.p99)}`, 'ms'),
    info(on, `${c.concurrent.calls} from ${k} clients: throughput`, c.concurrent.rate, fmt.rate(c.concurrent.rate), 'calls/s'),
    info(on, 'upstream GETs / Redis commands per call', perCall(c.redis.commands, c), `${perCall(c.upstream.requests, c).toFixed(3)} / ${perCall(c.redis.commands, c).toFixed(1)}`, 'per call'),
  ];
}

export function fetchSectionRows(r: FetchResults): Row[] {
  return [
    ...fetchRows('metadata', 'GET + open-graph-scraper on <head>', r.metadata, { p50Ms: METADATA_P50_MS, rate: METADATA_RATE }),
    ...fetchRows('feed', 'GET + rss-parser parseString', r.feed, { p50Ms: FEED_P50_MS, rate: FEED_RATE }),
  ];
}

export function buildRows(r: { engine?: { queue: QueueResults; http: VerbResults; ws: VerbResults; fanout: FanoutPair[] }; fetch?: FetchResults; irc?: IrcResults; scale?: ScaleResults; soak?: SoakResults }): Row[] {
  const e = r.engine;
  return [
    ...(e
      ? [
          ...verbRows('verb over HTTP (echo)', e.http),
          ...verbRows('verb over WebSocket (echo, graphql-ws)', e.ws),
          ...queueRows(e.queue),
          ...pathRows(e.http, e.queue),
          ...e.fanout.flatMap(fanoutRows),
        ]
      : []),
    ...(r.fetch ? fetchSectionRows(r.fetch) : []),
    ...(r.irc ? ircRows(r.irc) : []),
    ...(r.scale ? scaleRows(r.scale) : []),
    ...(r.soak ? soakRows(r.soak) : []),
  ];
}
