// `npm run bench`: every measured path against its floor, a table on stdout, a JSON record in
// bench/results/. Expects the private Redis that scripts/bench.sh starts (HUBGRAPH_BENCH_REDIS_URL).
import { cpus, loadavg } from 'node:os';
import { parseOptions, type Options } from './options.js';
import { othersMeter } from './support/cpu.js';
import { benchRedis, dropPrefix, type BenchRedis } from './support/redis.js';
import { startHubgraph, type HubgraphServer } from './support/hubgraph.js';
import { startFloor, type FloorServer } from './support/floor.js';
import { assertAlive } from './support/child.js';
import { sleep } from './support/pause.js';
import { HttpGql } from './support/http-gql.js';
import { openSession } from './support/operations.js';
import { printTable, verdict } from './support/table.js';
import { writeResults } from './support/results.js';
import { revision } from './support/revision.js';
import { runQueueSection, type QueueResults } from './queue/section.js';
import { runVerbHttp, type VerbResults } from './sections/verb-http.js';
import { runVerbWs } from './sections/verb-ws.js';
import { runFanout, type FanoutPair } from './sections/fanout.js';
import { buildRows } from './report.js';
import { footer, notes } from './notes.js';

const progress = (line: string) => process.stderr.write(`bench: ${line}\n`);
const out = (line: string) => process.stdout.write(`${line}\n`);

interface Measured {
  queue: QueueResults;
  http: VerbResults;
  ws: VerbResults;
  fanout: FanoutPair[];
  hubgraphEnv: Record<string, string>;
  /** cores the rest of the machine kept busy meanwhile */
  othersBusy: number | null;
}

async function measure(opts: Options, redis: BenchRedis): Promise<Measured> {
  const others = othersMeter([process.pid, redis.pid]);
  progress('BullMQ→Piscina against pool.run (in this process)');
  const queue = await runQueueSection(redis, opts.queue);
  let hub: HubgraphServer | undefined;
  let floor: FloorServer | undefined;
  try {
    hub = await startHubgraph({ redisUrl: redis.url, subscriberBufferBytes: opts.subscriberBufferBytes, cpuProfileDir: opts.profileDir });
    floor = await startFloor();
    progress(`hubgraph at ${hub.url}, floor at ${floor.wsUrl}`);
    const anon = new HttpGql(hub.url);
    const token = await openSession(anon);
    anon.close();
    progress('echo verb over HTTP');
    const http = await runVerbHttp(hub.url, token, opts.verbs);
    progress('echo verb over WebSocket');
    const ws = await runVerbWs(hub.wsUrl, token, opts.verbs);
    const fanout = await runFanout(hub, floor, redis.pid, opts.fanout, progress);
    const othersBusy = others([hub.child.proc.pid, floor.child.proc.pid]);
    return { queue, http, ws, fanout, hubgraphEnv: hub.env, othersBusy };
  } catch (err) {
    // a request that failed because a server died: say so, with what it printed
    await sleep(500); // the exit event may trail the failed request
    if (hub) assertAlive(hub.child);
    if (floor) assertAlive(floor.child);
    throw err;
  } finally {
    await floor?.stop();
    if (hub) {
      await hub.child.stop();
      await dropPrefix(redis.url, hub.prefix);
    }
  }
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const redis = benchRedis();
  const rev = revision();
  const startedAt = new Date();
  const loadBefore = loadavg();
  const t0 = performance.now();
  progress(`${opts.quick ? 'quick run' : 'full run'}; Redis ${redis.url}`);

  const m = await measure(opts, redis);
  const seconds = (performance.now() - t0) / 1000;
  const rows = buildRows(m);
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version, loadBefore, loadAfter: loadavg(), othersBusyCores: m.othersBusy };

  out('');
  printTable(rows, out);
  out('');
  for (const line of notes(m.hubgraphEnv, m.fanout, machine.cpus)) out(line);
  for (const line of footer(rows, seconds, machine, rev)) out(line);
  const file = writeResults(startedAt, {
    startedAt: startedAt.toISOString(),
    seconds,
    quick: opts.quick,
    revision: rev,
    machine,
    hubgraph: m.hubgraphEnv,
    rows: rows.map((r) => ({ ...r, result: verdict(r) })),
    details: { queue: m.queue, http: m.http, ws: m.ws, fanout: m.fanout },
  });
  out(`results: ${file}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
