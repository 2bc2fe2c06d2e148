// What a worker does with one queued job: check its deadline, open its sealed activity, run it
// (jobs pool for stateless verbs, the hosting thread for connection verbs) and reply to the API.
import type { Redis } from 'ioredis';
import { Queue, type Job } from 'bullmq';
import { HubError } from '../errors.js';
import { openJson, sealJsonBytes } from '../crypto/keys.js';
import { workerQueue, type Keys } from '../redis/keys.js';
import { PlatformRegistry } from '../platform/registry.js';
import type { ASActivity } from '../platform/types.js';
import type { CredentialsStore } from '../credentials/store.js';
import type { DataKeys } from '../session/data-keys.js';
import { JOB_OPTIONS, jobAad, type JobData } from '../queue/job.js';
import { replyAad, REPLY_STREAM_TTL_MS, type JobOutcome } from '../queue/replies.js';
import type { JobsPool } from '../pool/jobs-pool.js';
import type { Connections, Routed } from './connections.js';
import type { SerializedError } from '../errors.js';

/** a stateless job's outcome comes back already sealed from its thread */
type Ran = Routed | { kind: 'sealed'; sealed: Uint8Array; error?: SerializedError };
import { jobsTotal, workerJobDuration } from '../metrics.js';
import type { Logger } from '../log.js';
import type { NetPolicy } from '../net/policy.js';

export class JobRunner {
  private readonly forwardQueues = new Map<string, Queue>();

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly platforms: PlatformRegistry,
    private readonly credentials: CredentialsStore,
    private readonly dataKeys: DataKeys,
    private readonly jobs: JobsPool,
    private readonly connections: Connections,
    private readonly opts: { net: NetPolicy; redisUrl: string },
    private readonly log: Logger,
  ) {}

  async process(job: Job<JobData>): Promise<void> {
    const data = job.data;
    const jobId = job.id as string;
    const started = performance.now();
    const dek = await this.dataKeys.get(data.sid);
    if (!dek) {
      // the session is gone; a leftover disconnect still detaches it
      if (data.v === 'disconnect' && data.k) {
        const routed = await this.connections.disconnect(data.sid, data.k, { type: 'disconnect', actor: { id: data.a, type: 'person' } });
        if (routed.kind === 'forward') await this.forward(routed.owner, job);
      }
      return;
    }
    let outcome: JobOutcome | { sealed: Uint8Array; error?: SerializedError };
    const remaining = data.deadline - Date.now();
    if (job.stalledCounter > 0 && this.isCommand(data)) {
      // its first run was on a worker that died or stalled: it may have gone out already, and a
      // message must not go out twice (the job's client id would not stop this one)
      outcome = { ok: false, error: { code: 'UNAVAILABLE', message: 'the worker running this activity stopped before it answered; it may or may not have been carried out' } };
    } else if (remaining <= 0) {
      outcome = { ok: false, error: { code: 'TIMEOUT', message: 'the activity waited in the queue past its deadline; no worker was free in time' } };
    } else {
      try {
        const activity = openJson<ASActivity>(dek, data.body, jobAad(jobId, data));
        const routed = await this.route(data, jobId, activity, dek, remaining);
        if (routed.kind === 'forward') {
          await this.forward(routed.owner, job);
          return;
        }
        outcome = routed.kind === 'sealed' ? routed : { ok: true, activity: routed.activity };
      } catch (err) {
        outcome = { ok: false, error: HubError.from(err).toJSON() };
      }
    }
    workerJobDuration.observe({ platform: data.p, verb: data.v }, (performance.now() - started) / 1000);
    const failed = 'sealed' in outcome ? outcome.error : outcome.ok ? undefined : outcome.error;
    if (failed) jobsTotal.inc({ platform: data.p, verb: data.v, outcome: `worker:${failed.code}` });
    if ('sealed' in outcome) await this.writeReply(data, jobId, outcome.sealed);
    else await this.reply(data, jobId, dek, outcome);
  }

  /** A verb on an open connection (send, join, ...): running it twice would repeat its effect. */
  private isCommand(data: JobData): boolean {
    if (data.v === 'connect' || data.v === 'disconnect' || !this.platforms.ids().includes(data.p)) return false;
    return PlatformRegistry.needsConnection(this.platforms.get(data.p).descriptor, data.v);
  }

  /** Sends a job's outcome to the API process waiting for it. */
  async reply(data: JobData, jobId: string, dek: Buffer, outcome: JobOutcome): Promise<void> {
    await this.writeReply(data, jobId, sealJsonBytes(dek, outcome, replyAad(data.sid, jobId)));
  }

  private async writeReply(data: JobData, jobId: string, sealed: Uint8Array): Promise<void> {
    // as bytes: a thread's result arrives as a Uint8Array, which ioredis would send as text
    const bytes = Buffer.isBuffer(sealed) ? sealed : Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
    await this.redis
      .multi()
      .xadd(data.reply, 'MAXLEN', '~', 10_000, '*', 'j', jobId, 'r', bytes)
      .pexpire(data.reply, REPLY_STREAM_TTL_MS)
      .exec();
  }

  async stop(): Promise<void> {
    await Promise.all([...this.forwardQueues.values()].map((q) => q.close()));
  }

  private async route(data: JobData, jobId: string, activity: ASActivity, dek: Buffer, remaining: number): Promise<Ran> {
    const platform = this.platforms.get(data.p);
    const d = platform.descriptor;
    if (!PlatformRegistry.needsConnection(d, data.v)) {
      if (!d.jobsModule) throw new HubError('INTERNAL_SERVER_ERROR', `platform ${d.id} has no jobs module`);
      const creds = d.credentialsSchema ? await this.credentials.get(data.sid, dek, data.p, data.a) : undefined;
      const result = await this.jobs.run(
        {
          module: d.jobsModule.href, verb: data.v, activity, credentials: creds?.credentials, net: this.opts.net, redisUrl: this.opts.redisUrl, prefix: this.keys.prefix,
          // a copy in a buffer of its own: a pooled Buffer would carry its whole 8 KiB pool (other
          // sessions' keys among it) into the thread
          seal: { key: new Uint8Array(dek), aad: replyAad(data.sid, jobId) },
        },
        remaining,
      );
      if ('sealed' in result) return { kind: 'sealed', sealed: result.sealed, ...(result.error ? { error: result.error } : {}) };
      if (!result.ok) throw HubError.from(result.error);
      return { kind: 'done', activity: result.activity };
    }
    const connKey = data.k;
    if (!connKey) throw new HubError('INTERNAL_SERVER_ERROR', 'a connection verb was queued without its connection key');
    switch (data.v) {
      case 'connect':
        return this.connections.connect(data.sid, connKey, data.p, data.a, activity, remaining);
      case 'disconnect':
        return this.connections.disconnect(data.sid, connKey, activity);
      default:
        return this.connections.command(connKey, data.v, activity, remaining);
    }
  }

  /** The connection lives on another worker: hand the job, unchanged, to that worker's queue. */
  private async forward(owner: string, job: Job<JobData>): Promise<void> {
    let q = this.forwardQueues.get(owner);
    if (!q) {
      q = new Queue(workerQueue(owner), { connection: this.redis, prefix: this.keys.bull });
      this.forwardQueues.set(owner, q);
    }
    await q.add(job.name, job.data, { ...JOB_OPTIONS, jobId: job.id as string });
    this.log.debug({ owner, jobId: job.id }, 'forwarded a job to the worker that owns the connection');
  }
}
