// Section 5: the feeds and metadata platforms fetching local fixtures through the public API:
// `fetch` mutations over HTTP (keep-alive node:http client) against a real hubgraph started with
// HUBGRAPH_PLATFORMS=feeds,metadata and HUBGRAPH_ALLOW_PRIVATE_ADDRESSES=1 (the fixtures are on
// 127.0.0.1), next to the floor (sections/fetch-floor.ts), measured alternately per path.
//   cache off: a hubgraph with HUBGRAPH_FETCH_CACHE=0, the path the targets are about. Every call
//              names its own URL (a query string the fixture server ignores): the feeds platform
//              shares an in-flight fetch between concurrent calls for one URL even with the cache
//              off, which would let 20 clients share upstream fetches and parses.
//   cached:    a second hubgraph with the default HUBGRAPH_FETCH_CACHE (30 s), one URL per
//              path: every call after the first is answered from the shared Redis cache (info).
// The fixture server counts requests, so each run says how many upstream GETs a call cost.
import { readFileSync } from 'node:fs';
import { Redis } from 'ioredis';
import { assertAlive, type ChildServer } from '../support/child.js';
import { cpuMeter, type CpuShare } from '../support/cpu.js';
import type { FixtureServer, FixtureHits } from '../support/fixtures.js';
import { retireHubgraph, startHubgraph, type HubgraphServer } from '../support/hubgraph.js';
import { HttpGql } from '../support/http-gql.js';
import { concurrent, sequential, warmUp, type Call, type LoadResult } from '../support/load.js';
import { openSession } from '../support/operations.js';
import { sleep } from '../support/pause.js';
import { FEED_ITEMS, PAGE_TITLE } from '../fixtures/generate.js';
import { startFloorClient } from './fetch-floor.js';
import type { LoadSizes } from '../options.js';

export interface FetchSizes {
  metadata: LoadSizes;
  feed: LoadSizes;
  /** the cached runs (info only) */
  cached: LoadSizes;
}

export interface FetchRun {
  sequential: LoadResult;
  concurrent: LoadResult;
  /** cores busy per process during the concurrent run */
  cpu: CpuShare;
  /** what the fixture server saw during the measured calls (warm-up excluded) */
  upstream: { calls: number; requests: number; connections: number };
  /** Redis commands run during the measured calls (INFO commandstats), by command; none for the floor */
  redis: { commands: number; byCommand: Record<string, number> };
  /** when each measured loop ran, in µs of the monotonic clock V8's CPU profiles use (profile-summary.ts) */
  windows: { sequential: [number, number]; concurrent: [number, number] };
}

export interface FetchPath {
  floor: FetchRun;
  off: FetchRun;
  cached: FetchRun;
  /** size of one GraphQL reply (the JSON text the client receives) */
  replyBytes: number;
}

export interface FetchResults {
  fixtures: { pageBytes: number; headBytes: number; feedBytes: number; feedItems: number };
  metadata: FetchPath;
  feed: FetchPath;
  /** the settings of the two hubgraph processes */
  hubgraphEnv: { off: Record<string, string>; cached: Record<string, string> };
}

export interface FetchContext {
  redisUrl: string;
  redisPid: number | undefined;
  fixtures: FixtureServer;
  sizes: FetchSizes;
  profileDir: string | undefined;
  progress(line: string): void;
  /** called just before a hubgraph this section started stops (the run's CPU bookkeeping) */
  retiring(child: ChildServer): void;
}

export const METADATA_FETCH = 'mutation Preview($input: ActivityInput!) { fetch(input: $input) { id type actor { id name } object { type name summary url json } } }';
export const FEED_FETCH = 'mutation Feed($input: ActivityInput!) { fetch(input: $input) { id type actor { id name url } object { type name json } } }';

interface MetadataReply {
  fetch: { object: { name?: string } };
}
interface FeedReply {
  fetch: { object: { json: { totalItems?: number; items?: unknown[] } } };
}

function hubCalls(http: HttpGql) {
  const replyBytes = { metadata: 0, feed: 0 };
  return {
    replyBytes,
    async metadata(url: string): Promise<void> {
      const d = await http.run<MetadataReply>(METADATA_FETCH, { input: { platform: 'metadata', actor: { id: url, type: 'website' } } });
      if (d.fetch.object.name !== PAGE_TITLE) throw new Error(`hubgraph: the page's name came back as ${JSON.stringify(d.fetch.object.name)}`);
      replyBytes.metadata ||= Buffer.byteLength(JSON.stringify({ data: d }));
    },
    async feed(url: string): Promise<void> {
      const d = await http.run<FeedReply>(FEED_FETCH, {
        input: { platform: 'feeds', actor: { id: url, type: 'feed' }, object: { type: 'parameters', extra: { limit: FEED_ITEMS } } },
      });
      const j = d.fetch.object.json;
      if (j.totalItems !== FEED_ITEMS || j.items?.length !== FEED_ITEMS) throw new Error(`hubgraph: the feed came back with ${j.totalItems} entries, ${j.items?.length} items`);
      replyBytes.feed ||= Buffer.byteLength(JSON.stringify({ data: d }));
    },
  };
}

type Route = '/page.html' | '/feed.xml';

const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/** Calls per command so far, from INFO commandstats. */
async function commandStats(redisUrl: string): Promise<Record<string, number>> {
  const r = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await r.connect();
    const text = await r.info('commandstats');
    const out: Record<string, number> = {};
    for (const m of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) out[m[1] as string] = Number(m[2]);
    return out;
  } finally {
    r.disconnect();
  }
}

/** what reading the statistics itself sends (ioredis's ready check is an INFO too) */
const OURS = new Set(['info', 'client', 'hello']);

function commandsBetween(a: Record<string, number>, b: Record<string, number>): FetchRun['redis'] {
  const byCommand: Record<string, number> = {};
  let commands = 0;
  for (const [k, v] of Object.entries(b)) {
    const d = OURS.has(k) ? 0 : v - (a[k] ?? 0);
    if (d > 0) {
      byCommand[k] = d;
      commands += d;
    }
  }
  return { commands, byCommand };
}

async function measureRun(ctx: FetchContext, route: Route, sizes: LoadSizes, pids: Record<string, number | undefined>, call: Call): Promise<FetchRun> {
  await warmUp(sizes.warmUp, call);
  const before: FixtureHits = await ctx.fixtures.hits();
  const redis0 = await commandStats(ctx.redisUrl);
  const s0 = monotonicUs();
  const seq = await sequential(sizes.sequential, sizes.maxMs, call);
  const s1 = monotonicUs();
  const meter = cpuMeter(pids);
  const c0 = monotonicUs();
  const conc = await concurrent(sizes.concurrent, sizes.inFlight, sizes.maxMs, call);
  const c1 = monotonicUs();
  const cpu = meter();
  const after = await ctx.fixtures.hits();
  const redis1 = await commandStats(ctx.redisUrl);
  return {
    sequential: seq,
    concurrent: conc,
    cpu,
    upstream: { calls: seq.calls + conc.calls, requests: after[route] - before[route], connections: after.connections - before.connections },
    redis: commandsBetween(redis0, redis1),
    windows: { sequential: [s0, s1], concurrent: [c0, c1] },
  };
}

async function withHubgraph<T>(ctx: FetchContext, label: string, env: Record<string, string>, body: (hub: HubgraphServer, http: HttpGql) => Promise<T>): Promise<{ result: T; env: Record<string, string> }> {
  const hub = await startHubgraph({
    redisUrl: ctx.redisUrl,
    platforms: 'feeds,metadata',
    env: { HUBGRAPH_ALLOW_PRIVATE_ADDRESSES: '1', ...env },
    ...(ctx.profileDir ? { cpuProfileDir: `${ctx.profileDir}/${label}` } : {}),
  });
  ctx.progress(`hubgraph (${label}) at ${hub.url}`);
  let http: HttpGql | undefined;
  try {
    const anon = new HttpGql(hub.url);
    const token = await openSession(anon);
    anon.close();
    http = new HttpGql(hub.url, token);
    return { result: await body(hub, http), env: hub.env };
  } catch (err) {
    await sleep(500); // the exit event may trail the failed request
    assertAlive(hub.child);
    assertAlive(ctx.fixtures.child);
    throw err;
  } finally {
    http?.close();
    await retireHubgraph(hub, ctx);
  }
}

function fixtureSizes(): FetchResults['fixtures'] {
  const page = readFileSync(new URL('../fixtures/page.html', import.meta.url), 'latin1');
  const feed = readFileSync(new URL('../fixtures/feed.xml', import.meta.url), 'latin1');
  return { pageBytes: page.length, headBytes: page.indexOf('</head>') + '</head>'.length, feedBytes: feed.length, feedItems: feed.split('<item>').length - 1 };
}

export async function runFetch(ctx: FetchContext): Promise<FetchResults> {
  const { fixtures, sizes, progress } = ctx;
  let n = 0;
  const fresh = (route: Route) => `${fixtures.origin}${route}?r=${n++}`;
  const fixed = (route: Route) => `${fixtures.origin}${route}`;
  const floor = startFloorClient(64);
  const floorPids = { client: process.pid, fixtures: fixtures.child.proc.pid };
  try {
    const off = await withHubgraph(ctx, 'fetch-cache-off', { HUBGRAPH_FETCH_CACHE: '0' }, async (hub, http) => {
      const pids = { server: hub.child.proc.pid, client: process.pid, fixtures: fixtures.child.proc.pid, redis: ctx.redisPid };
      const hubgraph = hubCalls(http);
      progress('metadata fetch: floor (undici + open-graph-scraper, in this process)');
      const mFloor = await measureRun(ctx, '/page.html', sizes.metadata, floorPids, () => floor.metadata(fresh('/page.html')));
      progress('metadata fetch: hubgraph, cache off');
      const mOff = await measureRun(ctx, '/page.html', sizes.metadata, pids, () => hubgraph.metadata(fresh('/page.html')));
      progress('feed fetch: floor (undici + rss-parser, in this process)');
      const fFloor = await measureRun(ctx, '/feed.xml', sizes.feed, floorPids, () => floor.feed(fresh('/feed.xml')));
      progress('feed fetch: hubgraph, cache off');
      const fOff = await measureRun(ctx, '/feed.xml', sizes.feed, pids, () => hubgraph.feed(fresh('/feed.xml')));
      return { mFloor, mOff, fFloor, fOff, replyBytes: hubgraph.replyBytes };
    });
    const cached = await withHubgraph(ctx, 'fetch-cache-on', { HUBGRAPH_FETCH_CACHE: '30' }, async (hub, http) => {
      const pids = { server: hub.child.proc.pid, client: process.pid, fixtures: fixtures.child.proc.pid, redis: ctx.redisPid };
      const hubgraph = hubCalls(http);
      progress('metadata fetch: hubgraph, cache on');
      const mOn = await measureRun(ctx, '/page.html', sizes.cached, pids, () => hubgraph.metadata(fixed('/page.html')));
      progress('feed fetch: hubgraph, cache on');
      const fOn = await measureRun(ctx, '/feed.xml', sizes.cached, pids, () => hubgraph.feed(fixed('/feed.xml')));
      return { mOn, fOn };
    });
    return {
      fixtures: fixtureSizes(),
      metadata: { floor: off.result.mFloor, off: off.result.mOff, cached: cached.result.mOn, replyBytes: off.result.replyBytes.metadata },
      feed: { floor: off.result.fFloor, off: off.result.fOff, cached: cached.result.fOn, replyBytes: off.result.replyBytes.feed },
      hubgraphEnv: { off: off.env, cached: cached.env },
    };
  } finally {
    await floor.close();
  }
}
