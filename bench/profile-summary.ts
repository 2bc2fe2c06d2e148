// Where the hubgraph processes of the fetch section spent their CPU, per measured loop: reads the
// CPU profiles that `npm run bench -- --profile <dir>` wrote (one per thread: the main thread,
// the jobs-pool threads, the sessions-pool threads) and the results JSON of that run (its
// `windows` say when each loop ran, on the profiles' own clock), and prints per loop and thread
// the sampled busy time per call, the functions with the most self time, the hubgraph code
// (dist/) under which the top ones ran, and self time by package or file.
// Busy time is what V8's sampler saw the thread doing when it was not idle in its event loop. It
// is not CPU time: a thread that is runnable but waiting for a core (2 cores, more busy threads
// than that) is still sampled in whatever it was doing, typically right after a socket write
// that woke another process (Redis, the client). Use it for shares; the bench's own rows give
// CPU per call from /proc.
//   node --import tsx bench/profile-summary.ts <profile dir> [<results json>] [--top N]
// Without a results file it takes the newest in bench/results/. Only the fetch section has
// windows; the other sections' server is profiled as a whole (<dir>/*.cpuprofile).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { RESULTS_DIR } from './support/paths.js';
import type { FetchResults, FetchRun } from './sections/fetch.js';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

interface Thread {
  label: string;
  nodes: Map<number, ProfileNode>;
  parent: Map<number, number>;
  /** sample timestamps (µs, monotonic clock) and the node each one hit */
  times: Float64Array;
  hits: Int32Array;
}

function loadThread(file: string): Thread {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const nodes = new Map(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const times = new Float64Array(p.samples.length);
  let t = p.startTime;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i] ?? 0;
    times[i] = t;
  }
  // CPU.<date>.<time>.<pid>.<thread id>.<seq>.cpuprofile; thread 0 is the main thread
  const tid = Number(/\.(\d+)\.\d+\.cpuprofile$/.exec(file)?.[1] ?? -1);
  const urls = p.nodes.map((n) => n.callFrame.url);
  const kind = tid === 0 ? 'main' : urls.some((u) => u.endsWith('/pool/job-thread.js')) ? 'jobs' : urls.some((u) => u.endsWith('/pool/session-thread.js')) ? 'sessions' : 'other';
  return { label: tid === 0 ? 'main' : `${kind} thread ${tid}`, nodes, parent, times, hits: Int32Array.from(p.samples) };
}

/** hubgraph's own compiled code (src/ and platforms/), not a package's dist/ */
const isHubgraph = (url: string) => url.startsWith('file://') && !url.includes('/node_modules/') && url.includes('/dist/');
const short = (url: string) =>
  url.includes('/node_modules/')
    ? url.replace(/^.*\/node_modules\//, '')
    : url.replace(/^file:\/\/.*?\/dist\//, 'dist/').replace(/^node:internal\//, 'node:');
const frame = (n: ProfileNode) => `${n.callFrame.functionName || '(anonymous)'}${n.callFrame.url ? ` ${short(n.callFrame.url)}:${n.callFrame.lineNumber + 1}` : ''}`;
const IDLE = new Set(['(idle)']);

function moduleOf(n: ProfileNode): string {
  const u = n.callFrame.url;
  if (!u) return n.callFrame.functionName.startsWith('(') ? n.callFrame.functionName : '(native code: bindings, builtins)';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(u);
  if (pkg) return pkg[1] as string;
  if (u.startsWith('node:')) return `node:${u.replace(/^node:(internal\/)?/, '').split('/')[0]}`;
  return short(u);
}

/**
 * The nearest hubgraph frame (dist/) above a node: which of hubgraph's functions led there; else
 * (a package's own loop, such as BullMQ's worker) the nearest package frame.
 */
function hubgraphCaller(t: Thread, id: number): string {
  let pkg: ProfileNode | undefined;
  for (let cur: number | undefined = id; cur !== undefined; cur = t.parent.get(cur)) {
    const n = t.nodes.get(cur) as ProfileNode;
    if (isHubgraph(n.callFrame.url)) return frame(n);
    if (!pkg && n.callFrame.url.includes('/node_modules/')) pkg = n;
  }
  return pkg ? `no hubgraph frame; in ${frame(pkg)}` : '(no hubgraph frame)';
}

interface Slice {
  busyMs: number;
  self: Map<string, { ms: number; callers: Map<string, number> }>;
  modules: Map<string, number>;
}

function slice(t: Thread, [from, to]: [number, number]): Slice {
  const out: Slice = { busyMs: 0, self: new Map(), modules: new Map() };
  for (let i = 0; i < t.times.length; i++) {
    const at = t.times[i] as number;
    if (at < from || at > to) continue;
    const ms = (((t.times[i + 1] ?? at) as number) - at) / 1000;
    const n = t.nodes.get(t.hits[i] as number) as ProfileNode;
    if (IDLE.has(n.callFrame.functionName)) continue;
    out.busyMs += ms;
    const key = frame(n);
    const s = out.self.get(key) ?? { ms: 0, callers: new Map<string, number>() };
    s.ms += ms;
    const caller = hubgraphCaller(t, n.id);
    s.callers.set(caller, (s.callers.get(caller) ?? 0) + ms);
    out.self.set(key, s);
    const m = moduleOf(n);
    out.modules.set(m, (out.modules.get(m) ?? 0) + ms);
  }
  return out;
}

const per = (ms: number, calls: number) => `${((ms / calls) * 1000).toFixed(0).padStart(5)} µs/call`;

function report(name: string, run: FetchRun, threads: Thread[], top: number): void {
  for (const phase of ['sequential', 'concurrent'] as const) {
    const window = run.windows[phase];
    const calls = run[phase].calls;
    const lat = run[phase].latency;
    console.log(`\n=== ${name}, ${phase}: ${calls} calls${phase === 'concurrent' ? ` with ${run.concurrent.inFlight} in flight, ${run.concurrent.rate.toFixed(0)}/s` : ''}, p50 ${lat.p50.toFixed(2)} ms, ${((window[1] - window[0]) / 1000).toFixed(0)} ms of wall time`);
    const slices = threads.map((t) => ({ t, s: slice(t, window) })).filter(({ s }) => s.busyMs > 0);
    const total = slices.reduce((a, { s }) => a + s.busyMs, 0);
    console.log(`busy (sampled): ${per(total, calls)} in all; ${slices.map(({ t, s }) => `${t.label} ${per(s.busyMs, calls).trim()}`).join(', ')}`);
    for (const { t, s } of slices) {
      if (s.busyMs < total * 0.05) continue;
      console.log(`-- ${t.label}: ${per(s.busyMs, calls).trim()}; self time by function (share of this thread), with the hubgraph function it ran under`);
      for (const [fn, v] of [...s.self].sort((a, b) => b[1].ms - a[1].ms).slice(0, top)) {
        const callers = [...v.callers].sort((a, b) => b[1] - a[1]).slice(0, 2).map(([c, ms]) => `${c} ${((ms / v.ms) * 100).toFixed(0)}%`).join('; ');
        console.log(`  ${per(v.ms, calls)} ${((v.ms / s.busyMs) * 100).toFixed(1).padStart(5)}%  ${fn}\n${' '.repeat(26)}under: ${callers}`);
      }
      console.log(`   by package / file: ${[...s.modules].sort((a, b) => b[1] - a[1]).slice(0, 12).map(([m, ms]) => `${m} ${((ms / s.busyMs) * 100).toFixed(0)}%`).join(', ')}`);
    }
  }
}

function newestResults(): string {
  const files = readdirSync(RESULTS_DIR).filter((f) => f.endsWith('.json')).sort();
  const last = files.at(-1);
  if (!last) throw new Error(`no results in ${RESULTS_DIR}`);
  return join(RESULTS_DIR, last);
}

function threadsIn(dir: string): Thread[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.cpuprofile'))
    .map((f) => loadThread(join(dir, f)))
    .sort((a, b) => a.label.localeCompare(b.label));
}

function main(): void {
  const { positionals, values } = parseArgs({ allowPositionals: true, options: { top: { type: 'string' } } });
  const [dir, resultsFile = newestResults()] = positionals;
  if (!dir) throw new Error('usage: node --import tsx bench/profile-summary.ts <profile dir> [<results json>] [--top N]');
  const top = Number(values.top ?? 12);
  const record = JSON.parse(readFileSync(resultsFile, 'utf8')) as { details: { fetch?: FetchResults } };
  const fetch = record.details.fetch;
  if (!fetch?.metadata.off.windows) throw new Error(`${resultsFile} has no fetch section with windows`);
  console.log(`profiles in ${dir}, loops from ${resultsFile}`);
  const off = threadsIn(join(dir, 'fetch-cache-off'));
  report('metadata, cache off', fetch.metadata.off, off, top);
  report('feed, cache off', fetch.feed.off, off, top);
  const on = threadsIn(join(dir, 'fetch-cache-on'));
  report('metadata, cache on', fetch.metadata.cached, on, top);
  report('feed, cache on', fetch.feed.cached, on, top);
}

main();
