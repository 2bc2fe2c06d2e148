// Turns the measurements into table rows, with the targets the project set.
import type { LoadResult } from './support/load.js';
import { fmt, type Row } from './support/table.js';
import type { QueueResults } from './queue/section.js';
import type { VerbResults } from './sections/verb-http.js';
import type { FanoutPair } from './sections/fanout.js';
import type { FanoutRow } from './sections/fanout-measure.js';

const VERB_P50_MS = 2;
const ONE_SUBSCRIBER_RATE = 30_000;
const THOUSAND_TOTAL_RATE = 100_000;
const THOUSAND_FLOOR_RATIO = 2.5;
const P99_MS = 50;

const info = (section: string, what: string, value: number, figure: string, unit: string): Row => ({ section, what, value, figure, unit });

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

export function buildRows(r: { queue: QueueResults; http: VerbResults; ws: VerbResults; fanout: FanoutPair[] }): Row[] {
  return [
    ...verbRows('verb over HTTP (echo)', r.http),
    ...verbRows('verb over WebSocket (echo, graphql-ws)', r.ws),
    ...queueRows(r.queue),
    ...pathRows(r.http, r.queue),
    ...r.fanout.flatMap(fanoutRows),
  ];
}
