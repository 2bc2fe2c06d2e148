// The feeds and metadata platforms alone, without the engine: their `fetch` jobs as a jobs-pool
// thread runs them, called directly in this process with a real SafeFetcher against the fixture
// server of the fetch section (a process of its own), the cache off, then what happens to a result
// next (a structured clone, as Piscina copies it out of the thread, and JSON.stringify, as sealing
// starts). The figure is CPU time of this process per call (process.cpuUsage), the median of
// rounds: it moves less with the load of a shared box than wall time does, which makes it the one
// to compare a change of the platforms with, run before and after, close together. HTTP, GraphQL,
// BullMQ, Redis and crypto are left out; the fetch section measures the whole path.
//
//   node --import tsx bench/sections/fetch-jobs.ts [rounds]
import { FEED_ITEMS, PAGE_TITLE } from '../fixtures/generate.js';
import { startFixtures } from '../support/fixtures.js';
import { SafeFetcher } from '../../src/net/safe-fetch.js';
import type { NetPolicy } from '../../src/net/policy.js';
import type { SharedCache } from '../../src/net/shared-cache.js';
import type { ASActivity, JobContext, JobHandler } from '../../src/platform/types.js';
import { jobs as feedJobs } from '../../platforms/feeds/jobs.js';
import { jobs as metadataJobs } from '../../platforms/metadata/jobs.js';

const POLICY: NetPolicy = { allowPrivateAddresses: true, allowedAddresses: [], maxBytes: 5 * 1024 * 1024, timeoutMs: 10_000, maxRedirects: 5, schemes: ['http', 'https'], cacheSeconds: 0 };
const NO_CACHE: SharedCache = { get: async () => undefined, set: async () => {}, claim: async () => true, release: async () => {} };
const CALLS = { metadata: 300, feed: 100 };

export interface JobFigures {
  /** µs of CPU per call: the job, then the clone and JSON of its result */
  cpuUs: number;
  /** of which the clone and JSON of the result */
  resultUs: number;
  /** µs of wall time per call */
  wallUs: number;
  /** JSON size of one result */
  resultBytes: number;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? NaN;

export async function measureFetchJobs(origin: string, rounds = 7): Promise<Record<'metadata' | 'feed', JobFigures>> {
  const ctx: JobContext = { credentials: undefined, net: POLICY, fetcher: new SafeFetcher(POLICY), cache: NO_CACHE };
  let n = 0;
  const runs: Record<'metadata' | 'feed', () => Promise<ASActivity>> = {
    metadata: () => (metadataJobs.fetch as JobHandler)({ type: 'fetch', actor: { id: `${origin}/page.html?r=${n++}`, type: 'website' } }, ctx),
    feed: () => (feedJobs.fetch as JobHandler)({ type: 'fetch', actor: { id: `${origin}/feed.xml?r=${n++}`, type: 'feed' }, object: { type: 'parameters', limit: FEED_ITEMS } }, ctx),
  };
  const out = {} as Record<'metadata' | 'feed', JobFigures>;
  try {
    for (const path of ['metadata', 'feed'] as const) {
      const first = await runs[path]();
      const ok = path === 'metadata' ? (first.object as { name?: string }).name === PAGE_TITLE : (first.object as { items?: unknown[] }).items?.length === FEED_ITEMS;
      if (!ok) throw new Error(`fetch-jobs: the ${path} job did not read the fixture (${JSON.stringify(first).slice(0, 200)})`);
      const round = async () => {
        let resultCpu = 0;
        const t = performance.now();
        const c = process.cpuUsage();
        for (let i = 0; i < CALLS[path]; i++) {
          const result = await runs[path]();
          const r = process.cpuUsage();
          JSON.stringify(structuredClone(result));
          const d = process.cpuUsage(r);
          resultCpu += d.user + d.system;
        }
        const d = process.cpuUsage(c);
        return { cpu: (d.user + d.system) / CALLS[path], result: resultCpu / CALLS[path], wall: ((performance.now() - t) * 1000) / CALLS[path] };
      };
      await round(); // warm-up
      const all = [];
      for (let i = 0; i < rounds; i++) all.push(await round());
      out[path] = { cpuUs: median(all.map((r) => r.cpu)), resultUs: median(all.map((r) => r.result)), wallUs: median(all.map((r) => r.wall)), resultBytes: Buffer.byteLength(JSON.stringify(first)) };
    }
  } finally {
    await ctx.fetcher.close();
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const fixtures = await startFixtures();
  try {
    const figures = await measureFetchJobs(fixtures.origin, Number(process.argv[2]) || 7);
    for (const [path, f] of Object.entries(figures)) {
      console.log(`${path.padEnd(8)} job CPU ${f.cpuUs.toFixed(0)} µs/call (of which cloning and JSON of the result ${f.resultUs.toFixed(0)} µs), wall ${f.wallUs.toFixed(0)} µs/call, result ${(f.resultBytes / 1000).toFixed(1)} kB`);
    }
  } finally {
    await fixtures.stop();
  }
}
