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
import type { JobData } from '../queue/job.js';
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
        if (dead === leases.workerId || !(await leases.buryWorker(dead))) continue;
        this.log.warn({ deadWorker: dead }, 'a worker stopped renewing its registration; taking over its queue');
        await this.drainQueue(dead);
      }
      for (;;) {
        const expired = await leases.expired(BATCH);
        if (!expired.length || this.stopped) break;
        for (let i = 0; i < expired.length; i += PARALLEL) {
          await Promise.all(expired.slice(i, i + PARALLEL).map(({ connKey, handedOver }) =>
            this.connections.adopt(connKey, handedOver).catch((err: Error) => this.log.warn({ err: err.message }, 'taking over a connection failed; the next sweep retries'))));
        }
        if (expired.length < BATCH) break;
      }
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'the sweep failed; will retry');
    }
  }

  private async drainQueue(dead: string): Promise<void> {
    const q = new Queue<JobData>(workerQueue(dead), { connection: this.redis, prefix: this.keys.bull });
    try {
      const waiting = await q.getJobs(['wait', 'prioritized', 'delayed']);
      const targets = new Map<string, Queue<JobData>>();
      try {
        for (const job of waiting) await this.requeue(job, targets);
      } finally {
        await Promise.all([...targets.values()].map((t) => t.close()));
      }
      for (const job of await q.getJobs(['active'])) await this.answerLost(job);
      await q.obliterate({ force: true });
      if (waiting.length) this.log.info({ deadWorker: dead, requeued: waiting.length }, 'requeued the commands a dead worker had not started');
    } finally {
      await q.close();
    }
  }

  private async requeue(job: Job<JobData>, targets: Map<string, Queue<JobData>>): Promise<void> {
    const name = platformQueue(job.data.p);
    let target = targets.get(name);
    if (!target) {
      target = new Queue<JobData>(name, { connection: this.redis, prefix: this.keys.bull });
      targets.set(name, target);
    }
    await target.add(job.name as never, job.data as never, { jobId: job.id as string, removeOnComplete: true, removeOnFail: { count: 1000, age: 3600 } });
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
