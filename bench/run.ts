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
import { runFetch, type FetchResults } from './sections/fetch.js';
import { runIrc, type IrcResults } from './sections/irc.js';
import { runScale, type ScaleResults } from './sections/scale.js';
import { runSoak, type SoakResults } from './sections/soak.js';
import { runXmpp, xmppRows, type XmppResults } from './sections/xmpp.js';
import { startFixtures, type FixtureServer } from './support/fixtures.js';
import { buildRows } from './report.js';
import { footer, notes } from './notes.js';

const progress = (line: string) => process.stderr.write(`bench: ${line}\n`);
const out = (line: string) => process.stdout.write(`${line}\n`);

interface EngineMeasured {
  queue: QueueResults;
  http: VerbResults;
  ws: VerbResults;
  fanout: FanoutPair[];
  hubgraphEnv: Record<string, string>;
}

interface Measured {
  /** absent with --only */
  engine?: EngineMeasured;
  /** absent with --only irc */
  fetch?: FetchResults;
  /** absent with --only fetch */
  irc?: IrcResults;
  /** only in a full run and with --only scale */
  scale?: ScaleResults;
  /** only in a full run and with --only soak */
  soak?: SoakResults;
  /** present without --only, or with --only xmpp */
  xmpp?: XmppResults;
  /** cores the rest of the machine kept busy meanwhile */
  othersBusy: number | null;
}

type Others = ReturnType<typeof othersMeter>;

async function measure(opts: Options, redis: BenchRedis): Promise<Measured> {
  const others = othersMeter([process.pid, redis.pid]);
  const engine = opts.only ? undefined : await measureEngine(opts, redis, others);
  const fetch = opts.only === undefined || opts.only === 'fetch' ? await measureFetch(opts, redis, others) : undefined;
  const irc =
    opts.only === undefined || opts.only === 'irc'
      ? await runIrc({ redisUrl: redis.url, redisPid: redis.pid, sizes: opts.irc, progress, retiring: (child) => others.retire(child.proc.pid) })
      : undefined;
  const xmpp =
    opts.only === undefined || opts.only === 'xmpp'
      ? await runXmpp({ redisUrl: redis.url, sizes: opts.xmpp, progress, retiring: (child) => others.retire(child.proc.pid) })
      : undefined;
  const scale = opts.only === undefined || opts.only === 'scale' ? await runScale({ redisUrl: redis.url, sizes: opts.scale, progress }) : undefined;
  const soak = (opts.only === undefined || opts.only === 'soak') && opts.soak.minutes > 0 ? await runSoak({ redisUrl: redis.url, sizes: opts.soak, progress }) : undefined;
  return { ...(engine ? { engine } : {}), ...(fetch ? { fetch } : {}), ...(irc ? { irc } : {}), ...(xmpp ? { xmpp } : {}), ...(scale ? { scale } : {}), ...(soak ? { soak } : {}), othersBusy: others.total([]) };
}

/** Sections 1–4: the echo verb, BullMQ→Piscina and fan-out, on one hubgraph with the dummy platform. */
async function measureEngine(opts: Options, redis: BenchRedis, others: Others): Promise<EngineMeasured> {
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
    return { queue, http, ws, fanout, hubgraphEnv: hub.env };
  } catch (err) {
    // a request that failed because a server died: say so, with what it printed
    await sleep(500); // the exit event may trail the failed request
    if (hub) assertAlive(hub.child);
    if (floor) assertAlive(floor.child);
    throw err;
  } finally {
    if (floor) {
      others.retire(floor.child.proc.pid);
      await floor.stop();
    }
    if (hub) {
      others.retire(hub.child.proc.pid);
      await hub.child.stop();
      await dropPrefix(redis.url, hub.prefix);
    }
  }
}

/** Section 5: feeds and metadata fetching local fixtures, against their floor. */
async function measureFetch(opts: Options, redis: BenchRedis, others: Others): Promise<FetchResults> {
  const fixtures: FixtureServer = await startFixtures();
  progress(`fixture server at ${fixtures.origin}`);
  try {
    return await runFetch({
      redisUrl: redis.url,
      redisPid: redis.pid,
      fixtures,
      sizes: opts.fetch,
      profileDir: opts.profileDir,
      progress,
      retiring: (child) => others.retire(child.proc.pid),
    });
  } finally {
    others.retire(fixtures.child.proc.pid);
    await fixtures.stop();
  }
}

async function main(): Promise<void> {
  const opts = parseOptions(process.argv.slice(2));
  const redis = benchRedis();
  const rev = revision();
  const startedAt = new Date();
  const loadBefore = loadavg();
  const t0 = performance.now();
  progress(`${opts.quick ? 'quick run' : 'full run'}${opts.only ? ` of the ${opts.only} section only` : ''}; Redis ${redis.url}`);

  const m = await measure(opts, redis);
  const seconds = (performance.now() - t0) / 1000;
  const rows = [...buildRows(m), ...(m.xmpp ? xmppRows(m.xmpp) : [])];
  const machine = { cpus: cpus().length, cpuModel: cpus()[0]?.model, node: process.version, loadBefore, loadAfter: loadavg(), othersBusyCores: m.othersBusy };

  out('');
  printTable(rows, out);
  out('');
  for (const line of notes(m, machine.cpus)) out(line);
  for (const line of footer(rows, seconds, machine, rev)) out(line);
  const file = writeResults(startedAt, {
    startedAt: startedAt.toISOString(),
    seconds,
    quick: opts.quick,
    revision: rev,
    machine,
    only: opts.only ?? null,
    hubgraph: m.engine?.hubgraphEnv ?? null,
    hubgraphFetch: m.fetch?.hubgraphEnv ?? null,
    hubgraphIrc: m.irc?.hubgraphEnv ?? null,
    hubgraphXmpp: m.xmpp?.hubgraphEnv ?? null,
    ngircd: m.irc?.ngircd ?? null,
    rows: rows.map((r) => ({ ...r, result: verdict(r) })),
    details: {
      ...(m.engine ? { queue: m.engine.queue, http: m.engine.http, ws: m.engine.ws, fanout: m.engine.fanout } : {}),
      ...(m.fetch ? { fetch: m.fetch } : {}),
      ...(m.irc ? { irc: m.irc } : {}),
      ...(m.xmpp ? { xmpp: m.xmpp } : {}),
    },
  });
  out(`results: ${file}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
