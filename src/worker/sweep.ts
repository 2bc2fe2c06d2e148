// What the surviving workers do about one that died: every few seconds each of them looks for
// workers whose registration ran out and connections whose lease ran out (the leases are Redis's
// to time, see leases.ts). A dead worker's queued commands go back to the platform queues, where
// any worker picks them up and finds or reopens their connection; the commands it was running
// when it died are answered UNAVAILABLE (they may or may not have been carried out, and running
// them again could deliver a message twice). Its connections are reopened here from the stored
// credentials and state, each by exactly one worker (the lease claim decides).
import type { Redis } from 'ioredis';
import { Queue, type Job } from 'bullmq';
import { platformQueue, workerQueue, type Keys } from '../redis/keys.js';
import type { Logger } from '../log.js';
import { JOB_OPTIONS, type JobData } from '../queue/job.js';
import type { DataKeys } from '../session/data-keys.js';
import type { Connections } from './connections.js';
import type { JobRunner } from './job-runner.js';

const BATCH = 200;
const PARALLEL = 20;

export class Sweep {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly connections: Connections,
    private readonly runner: JobRunner,
    private readonly dataKeys: DataKeys,
    private readonly log: Logger,
    private readonly everyMs: number,
  ) {}

  start(): void {
    const tick = () => {
      if (this.stopped) return;
      this.running = this.once().finally(() => {
        this.running = undefined;
        // jittered, so that workers started together do not sweep in lockstep
        if (!this.stopped) this.timer = setTimeout(tick, this.everyMs * (0.75 + Math.random() * 0.5));
        this.timer?.unref();
      });
    };
    tick();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** One pass: dead workers' queues first, then every expired lease. */
  async once(): Promise<void> {
    const leases = this.connections.leases;
    try {
      for (const dead of await leases.deadWorkers()) {
        if (dead === leases.workerId || !(await leases.claimCleanup(dead))) continue;
        this.log.warn({ deadWorker: dead }, 'a worker stopped renewing its registration; taking over its queue');
        await this.drainQueue(dead);
        // only now: if this sweeper dies mid-way, the cleanup claim expires and another one redoes it
        await leases.buryWorker(dead);
      }
      for (;;) {
        const expired = await leases.expired(BATCH);
        if (!expired.length || this.stopped) break;
        let progressed = 0;
        for (let i = 0; i < expired.length; i += PARALLEL) {
          const done = await Promise.all(expired.slice(i, i + PARALLEL).map(({ connKey }) =>
            this.connections.adopt(connKey).then((r) => r.kind === 'adopted', (err: Error) => {
              this.log.warn({ err: err.message }, 'taking over a connection failed; the next sweep retries');
              return false;
            })));
          progressed += done.filter(Boolean).length;
        }
        // a page where nothing could be taken (all forwarded, or for platforms this worker lacks) ends the pass
        if (expired.length < BATCH || progressed === 0) break;
      }
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'the sweep failed; will retry');
    }
  }

  private async drainQueue(dead: string): Promise<void> {
    const q = new Queue<JobData>(workerQueue(dead), { connection: this.redis, prefix: this.keys.bull });
    try {
      // oldest first, so that a join still comes before the send that followed it
      const waiting = await q.getJobs(['wait', 'prioritized', 'delayed'], 0, -1, true);
      const byQueue = new Map<string, Job<JobData>[]>();
      for (const job of waiting) {
        const name = platformQueue(job.data.p);
        byQueue.set(name, [...(byQueue.get(name) ?? []), job]);
      }
      for (const [name, jobs] of byQueue) {
        const target = new Queue<JobData>(name, { connection: this.redis, prefix: this.keys.bull });
        try {
          await target.addBulk(jobs.map((job) => ({ name: job.name as never, data: job.data as never, opts: { ...JOB_OPTIONS, jobId: job.id as string } })));
        } finally {
          await target.close();
        }
      }
      for (const job of await q.getJobs(['active'])) await this.answerLost(job);
      await q.obliterate({ force: true });
      if (waiting.length) this.log.info({ deadWorker: dead, requeued: waiting.length }, 'requeued the commands a dead worker had not started');
    } finally {
      await q.close();
    }
  }


  private async answerLost(job: Job<JobData>): Promise<void> {
    const dek = await this.dataKeys.get(job.data.sid);
    if (!dek || !job.id) return;
    await this.runner.reply(job.data, job.id, dek, {
      ok: false,
      error: { code: 'UNAVAILABLE', message: 'the worker running this activity stopped before it answered; it may or may not have been carried out' },
    });
  }
}
