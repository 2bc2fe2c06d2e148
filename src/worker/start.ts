// The worker role: BullMQ workers on each platform queue and on this worker's own queue, feeding
// the jobs pool and the sessions pool.
import { randomBytes } from 'node:crypto';
import { Worker } from 'bullmq';
import type { Services } from '../services.js';
import { platformQueue, workerQueue } from '../redis/keys.js';
import { JobsPool } from '../pool/jobs-pool.js';
import { Connections } from './connections.js';
import { JobRunner } from './job-runner.js';
import { EventPublisher } from '../events/publisher.js';
import type { JobData } from '../queue/job.js';
import { netPolicy } from '../net/policy.js';
import { Sweep } from './sweep.js';

/** a job whose worker stopped renewing its lock this long ago is taken up by another worker */
const STALLED_AFTER_MS = 10_000;

export interface WorkerRole {
  id: string;
  connections: Connections;
  jobs: JobsPool;
  healthy(): boolean;
  stop(): Promise<void>;
}

export async function startWorker(s: Services): Promise<WorkerRole> {
  const id = randomBytes(9).toString('base64url');
  const log = s.log.child({ role: 'worker', workerId: id });
  const cfg = s.config;
  const net = netPolicy(cfg);
  const publisher = new EventPublisher(s.redis, s.keys, s.sessions.dataKeys, cfg.sessionTtlSeconds * 1000, log);
  const jobs = new JobsPool(cfg.jobThreads, cfg.jobTimeoutMs, log);
  const connections = new Connections(id, s.redis, s.keys, s.platforms, s.credentials, s.sessions.dataKeys, publisher, s.keyring, log, {
    threads: cfg.sessionThreads,
    net,
    heartbeatMs: cfg.heartbeatMs,
    // a reopen after a crash gets as long as a connect verb would
    openTimeoutMs: cfg.jobTimeoutMs,
    leaseMs: cfg.leaseMs,
  });
  const runner = new JobRunner(s.redis, s.keys, s.platforms, s.credentials, s.sessions.dataKeys, jobs, connections, { net, redisUrl: cfg.redisUrl }, log);

  // registered as alive before it takes a job: a lease it claims must never look like a dead worker's
  await connections.start();
  // at least every second: a connection handed over by a stopping worker is reopened within about one
  const sweep = new Sweep(s.redis, s.keys, connections, runner, s.sessions.dataKeys, log, Math.min(cfg.leaseMs / 3, 1000));

  const queues = [...s.platforms.ids().map(platformQueue), workerQueue(id)];
  const workers = queues.map((name) => {
    const w = new Worker<JobData>(name, (job) => runner.process(job), {
      connection: s.blockingRedis(`hubgraph-worker-${name}`),
      prefix: s.keys.bull,
      concurrency: cfg.jobConcurrency,
      // the lock is renewed while a job runs (every half of it), so it only has to outlast event-loop
      // stalls; short, so that a job of a worker that died is found stalled and run again soon
      lockDuration: STALLED_AFTER_MS,
      stalledInterval: STALLED_AFTER_MS / 2,
    });
    w.on('error', (err) => log.warn({ err: err.message, queue: name }, 'queue worker error'));
    return w;
  });
  await Promise.all(workers.map((w) => w.waitUntilReady()));
  log.info({ queues }, 'worker consuming jobs');
  sweep.start();

  let stopped = false;
  return {
    id,
    connections,
    jobs,
    healthy: () => !stopped && workers.every((w) => w.isRunning()),
    async stop() {
      stopped = true;
      await sweep.stop();
      await Promise.all(workers.map((w) => w.close()));
      await runner.stop();
      await connections.stop();
      await jobs.stop();
    },
  };
}
