// The lines printed under the table: how the figures were taken, and where the CPU went.
import type { FanoutPair } from './sections/fanout.js';
import type { CpuShare } from './support/cpu.js';
import type { Revision } from './support/revision.js';
import type { Row } from './support/table.js';

/** The mean share of each process over a row's bursts. */
function meanShare(shares: CpuShare[]): string {
  const keys = [...new Set(shares.flatMap((c) => Object.keys(c)))];
  return keys
    .map((k) => {
      const known = shares.map((c) => c[k]).filter((v): v is number => typeof v === 'number');
      return `${k} ${known.length ? (known.reduce((a, b) => a + b, 0) / known.length).toFixed(2) : '?'}`;
    })
    .join(', ');
}

export function notes(settings: Record<string, string>, fanout: FanoutPair[], cores: number): string[] {
  const lines = [
    `hubgraph ran as one process: ${Object.entries(settings).map(([k, v]) => `${k}=${v}`).join(' ')}`,
    '  (HUBGRAPH_SUBSCRIBER_BUFFER is raised for the bench from the default 4 MiB: a burst queues many frames per socket)',
    'verbs: HTTP with a keep-alive node:http client; WebSocket with the graphql-ws client, one socket.',
    '  "HTTP − queued" is what the API adds around the queue: HTTP, GraphQL, session lookup, crypto, reply stream.',
    'BullMQ→Piscina (in the bench process): queued = Queue.add → Worker (concurrency 64) → pool.run → QueueEvents;',
    '  floor = pool.run alone; the pool has the settings of hubgraph\'s jobs pool (2 threads, 64 tasks each, no Atomics)',
    '  and runs the dummy echo inlined (bench/queue/echo-thread.mjs).',
    'fan-out floor: a plain graphql-ws server (useServer + ws + graphql-js), one execution per subscriber per event.',
    'fan-out: every subscriber on its own WebSocket, all in one session with the identical subscription;',
    '  the client is raw `ws` speaking graphql-transport-ws: it counts every `next` frame and reads',
    '  `cursor` (order check) and `published` (latency) by byte search instead of parsing whole frames.',
    '  rate = frames received by all subscribers / (time from the emit request to the last frame), median of the bursts.',
    '  latency = receipt time − `published` (ms resolution), in a separate paced run at half of that target\'s burst rate',
    '  (20 ms ticks); under a burst, latency only measures the length of the queue.',
    '  hubgraph stamps `published` when its worker starts writing the event to Redis (after any wait in the',
    '  per-connection outbox, which a client cannot see); the floor stamps it when it emits.',
    `CPU during the bursts, mean of the bursts (cores busy: 1.00 = one whole core of ${cores}):`,
  ];
  for (const p of fanout) {
    for (const row of [p.floor, p.hubgraph]) {
      if (row.bursts.length) lines.push(`  ${String(p.subscribers).padStart(4)} subscriber(s), ${row.target.padEnd(8)}: ${meanShare(row.bursts.map((b) => b.cpu))}`);
    }
  }
  return lines;
}

export interface MachineInfo {
  cpus: number;
  loadBefore: number[];
  loadAfter: number[];
  othersBusyCores: number | null;
}

export function footer(rows: Row[], seconds: number, machine: MachineInfo, rev: Revision): string[] {
  const met = rows.filter((r) => r.pass === true).length;
  const missed = rows.filter((r) => r.pass === false).length;
  const load = (l: number[]) => l.map((v) => v.toFixed(2)).join(' ');
  const others = machine.othersBusyCores === null ? '?' : machine.othersBusyCores.toFixed(2);
  const dirty =
    (rev.uncommitted.length ? ` + uncommitted changes (diff sha256 ${rev.diffSha256?.slice(0, 12)}) in ${rev.uncommitted.join(', ')}` : '') +
    (rev.untracked.length ? ` + untracked ${rev.untracked.join(', ')}` : '');
  return [
    `machine: ${machine.cpus} cores; load average ${load(machine.loadBefore)} before, ${load(machine.loadAfter)} after;`,
    `  processes other than the bench's kept ${others} cores busy on average during the run`,
    `measured: commit ${rev.commit?.slice(0, 12) ?? '?'}${dirty}`,
    `targets: ${met} met, ${missed} missed; ${seconds.toFixed(0)} s`,
  ];
}
