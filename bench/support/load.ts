// Drives a request function: up to n calls one after another, or up to n calls keeping k in
// flight. Both stop issuing calls once maxMs has passed, so a slow server cannot stall the bench;
// the result says how many calls ran. A failed call fails the run (errors are not a benchmark).
import { summarize, type Summary } from './stats.js';
import type { LoadSizes } from '../options.js';

export interface LoadResult {
  /** calls completed (fewer than asked when the time bound cut the run short) */
  calls: number;
  asked: number;
  inFlight: number;
  elapsedMs: number;
  /** calls per second over the whole run */
  rate: number;
  latency: Summary;
}

export type Call = () => Promise<unknown>;

export async function sequential(n: number, maxMs: number, call: Call): Promise<LoadResult> {
  return concurrent(n, 1, maxMs, call);
}

export async function concurrent(n: number, inFlight: number, maxMs: number, call: Call): Promise<LoadResult> {
  const lat = new Float64Array(n);
  let next = 0;
  let done = 0;
  const start = performance.now();
  const deadline = start + maxMs;
  const lane = async () => {
    while (next < n && performance.now() < deadline) {
      const i = next++;
      const t = performance.now();
      await call();
      lat[i] = performance.now() - t;
      done++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, n) }, lane));
  const elapsedMs = performance.now() - start;
  return { calls: done, asked: n, inFlight, elapsedMs, rate: (done / elapsedMs) * 1000, latency: summarize(lat.subarray(0, done)) };
}

/** A short warm-up: n sequential calls, then n with a few in flight; the figures are discarded. */
export async function warmUp(n: number, call: Call): Promise<void> {
  await sequential(n, 10_000, call);
  await concurrent(n, 10, 10_000, call);
}

/** A warm-up, then the sequential and the in-flight runs of one call. */
export async function measure(sizes: LoadSizes, call: Call): Promise<{ sequential: LoadResult; concurrent: LoadResult }> {
  await warmUp(sizes.warmUp, call);
  return {
    sequential: await sequential(sizes.sequential, sizes.maxMs, call),
    concurrent: await concurrent(sizes.concurrent, sizes.inFlight, sizes.maxMs, call),
  };
}
