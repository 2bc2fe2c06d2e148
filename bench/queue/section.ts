// Section 3: what BullMQ adds in front of Piscina, in this process: no HTTP, no hubgraph code.
// The pool has the settings of hubgraph's jobs pool; its task is the dummy echo (echo-thread.mjs).
//   floor:    pool.run(echo task)
//   measured: Queue.add -> Worker (concurrency 64) -> pool.run -> completion read by one
//             QueueEvents listener into a Map of waiters (registered before add, own job ids).
// removeOnComplete:true is safe here: the completed event carries the return value, and
// waitUntilFinished (which races with removal) is not used.
import { randomBytes } from 'node:crypto';
import { Piscina } from 'piscina';
import { Queue, QueueEvents, Worker } from 'bullmq';
import { measure, type Call, type LoadResult } from '../support/load.js';
import { ECHO_THREAD } from '../support/paths.js';
import { dropPrefix, type BenchRedis } from '../support/redis.js';
import type { LoadSizes } from '../options.js';

export interface QueueResults {
  piscina: { sequential: LoadResult; concurrent: LoadResult };
  bullmq: { sequential: LoadResult; concurrent: LoadResult };
}

interface EchoResult {
  ok: boolean;
}

const TASK = {
  verb: 'fetch',
  activity: { '@context': 'https://www.w3.org/ns/activitystreams', id: 'bench', type: 'fetch', platform: 'dummy', actor: { id: 'x', type: 'person' }, object: { type: 'echo' } },
};

/** The settings of hubgraph's jobs pool (src/pool/jobs-pool.ts): 2 threads, 64 tasks each, no Atomics. */
function jobsPool(): Piscina {
  return new Piscina({
    filename: ECHO_THREAD,
    minThreads: 2,
    maxThreads: 2,
    concurrentTasksPerWorker: 64,
    idleTimeout: Infinity,
    atomics: 'disabled',
    maxQueue: Infinity,
  });
}

function checked(r: unknown): void {
  if (!(r as EchoResult | undefined)?.ok) throw new Error(`the echo job failed: ${JSON.stringify(r)}`);
}

export async function runQueueSection(redis: BenchRedis, sizes: LoadSizes): Promise<QueueResults> {
  const pool = jobsPool();
  const prefix = `hgbench-q-${randomBytes(4).toString('hex')}`;
  const connection = { host: redis.host, port: redis.port, maxRetriesPerRequest: null };
  const name = 'echo';
  const queue = new Queue(name, { connection, prefix });
  const worker = new Worker(name, async (job) => pool.run(job.data), { connection, prefix, concurrency: 64 });
  // the stream is new, so reading it from the start cannot replay anything old, and no event
  // can slip past before the first read
  const events = new QueueEvents(name, { connection, prefix, lastEventId: '0' });
  const waiters = new Map<string, { resolve(v: unknown): void; reject(e: Error): void }>();
  events.on('completed', ({ jobId, returnvalue }) => {
    waiters.get(jobId)?.resolve(returnvalue);
    waiters.delete(jobId);
  });
  events.on('failed', ({ jobId, failedReason }) => {
    waiters.get(jobId)?.reject(new Error(failedReason));
    waiters.delete(jobId);
  });
  try {
    await Promise.all([queue.waitUntilReady(), worker.waitUntilReady(), events.waitUntilReady()]);
    const piscina = await measure(sizes, async () => checked(await pool.run(TASK)));
    let n = 0;
    const viaBull: Call = async () => {
      const jobId = `j${++n}`;
      const done = new Promise<unknown>((resolve, reject) => waiters.set(jobId, { resolve, reject }));
      await queue.add(name, TASK, { jobId, removeOnComplete: true, removeOnFail: { count: 100 }, attempts: 1 });
      checked(await done);
    };
    const bullmq = await measure(sizes, viaBull);
    return { piscina, bullmq };
  } finally {
    await worker.close();
    await events.close();
    await queue.close();
    await pool.destroy();
    await dropPrefix(redis.url, prefix);
  }
}
