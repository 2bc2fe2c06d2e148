// The stateless jobs pool: one-shot verbs (feeds, metadata, echo) run here, many per thread.
// Piscina's AbortSignal would give each task a whole thread, so deadlines are kept by racing a
// timer, and a watchdog ends a thread whose event loop has been busy for longer than any job may
// take (a task stuck in an endless loop); Piscina replaces it.
import { Piscina } from 'piscina';
import type { EventLoopUtilization } from 'node:perf_hooks';
import { HubError } from '../errors.js';
import type { Logger } from '../log.js';
import type { JobTask, JobTaskResult, SealedJobResult } from './job-thread.js';

const WATCH_MS = 1000;

export class JobsPool {
  readonly pool: Piscina;
  private readonly busySince = new Map<number, { elu: EventLoopUtilization; busyMs: number }>();
  private readonly watchdog: NodeJS.Timeout;

  constructor(threads: number, private readonly timeoutMs: number, private readonly log: Logger) {
    this.pool = new Piscina({
      filename: new URL('./job-thread.js', import.meta.url).href,
      minThreads: threads,
      maxThreads: threads,
      concurrentTasksPerWorker: 64,
      idleTimeout: Infinity,
      // idle threads must wait in their event loop, not in Atomics.wait: the watchdog reads
      // event-loop utilisation, and a thread parked in Atomics.wait looks 100% busy
      atomics: 'disabled',
      maxQueue: Infinity,
    });
    this.watchdog = setInterval(() => this.watch(), WATCH_MS);
    this.watchdog.unref();
  }

  async run(task: JobTask, timeoutMs: number): Promise<JobTaskResult | SealedJobResult> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<JobTaskResult>((resolve) => {
      timer = setTimeout(() => resolve({ ok: false, error: { code: 'TIMEOUT', message: `${task.verb} took longer than ${timeoutMs} ms` } }), Math.max(1, timeoutMs));
    });
    const run = (this.pool.run(task) as Promise<JobTaskResult | SealedJobResult>).catch(
      (err: Error): JobTaskResult => ({ ok: false, error: new HubError('PLATFORM_ERROR', `the job thread failed: ${err.message}`).toJSON() }),
    );
    try {
      return await Promise.race([run, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private watch(): void {
    for (const worker of this.pool.threads) {
      const prev = this.busySince.get(worker.threadId);
      const now = worker.performance.eventLoopUtilization();
      if (!prev) {
        this.busySince.set(worker.threadId, { elu: now, busyMs: 0 });
        continue;
      }
      const delta = worker.performance.eventLoopUtilization(now, prev.elu);
      const busyMs = delta.utilization > 0.97 ? prev.busyMs + WATCH_MS : 0;
      this.busySince.set(worker.threadId, { elu: now, busyMs });
      if (busyMs > this.timeoutMs + 2 * WATCH_MS) {
        this.log.error({ threadId: worker.threadId, busyMs }, 'a job thread has been busy longer than any job may take; ending it');
        this.busySince.delete(worker.threadId);
        void worker.terminate();
      }
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.watchdog);
    await this.pool.destroy();
  }
}
