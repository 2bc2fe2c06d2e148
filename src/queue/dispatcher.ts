// A verb mutation, from validated input to its result: idempotency, routing to the queue of the
// worker that holds the connection (or the platform queue), and waiting for the reply.
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { Queue } from 'bullmq';
import { HubError } from '../errors.js';
import { openJson, sealJson } from '../crypto/keys.js';
import { platformQueue, workerQueue, type Keys } from '../redis/keys.js';
import { PlatformRegistry } from '../platform/registry.js';
import type { ASActivity, Verb } from '../platform/types.js';
import { activityFromInput, type ActivityInput } from '../activity/from-input.js';
import type { Session } from '../session/store.js';
import type { CredentialsStore } from '../credentials/store.js';
import type { JobData } from './job.js';
import { jobAad } from './job.js';
import type { JobOutcome, Replies } from './replies.js';
import { jobDuration, jobsTotal } from '../metrics.js';

const IDEMPOTENCY_POLL_MS = 25;

export class Dispatcher {
  private readonly queues = new Map<string, Queue>();

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly platforms: PlatformRegistry,
    private readonly credentials: CredentialsStore,
    private readonly replies: Replies,
    private readonly opts: { jobTimeoutMs: number; ttlMs: number },
  ) {}

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }

  queue(name: string): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.redis, prefix: this.keys.bull });
      this.queues.set(name, q);
    }
    return q;
  }

  async dispatch(session: Session, verb: Verb, input: ActivityInput): Promise<ASActivity> {
    const started = performance.now();
    let outcome: JobOutcome;
    try {
      outcome = await this.run(session, verb, input);
    } catch (err) {
      outcome = { ok: false, error: HubError.from(err).toJSON() };
    }
    const platform = this.platforms.ids().includes(input.platform) ? input.platform : 'unknown';
    jobsTotal.inc({ platform, verb, outcome: outcome.ok ? 'ok' : outcome.error.code });
    jobDuration.observe({ platform, verb }, (performance.now() - started) / 1000);
    if (!outcome.ok) throw HubError.from(outcome.error);
    return outcome.activity;
  }

  private async run(session: Session, verb: Verb, input: ActivityInput): Promise<JobOutcome> {
    const p = this.platforms.get(input.platform);
    if (!p.descriptor.verbs.includes(verb)) {
      throw new HubError('BAD_USER_INPUT', `platform "${input.platform}" does not support ${verb}; it supports: ${p.descriptor.verbs.join(', ')}`, { field: 'platform' });
    }
    const activity = activityFromInput(verb, input);
    p.checkVerb[verb]?.(activity, verb);
    if (input.id == null) return this.enqueue(session, verb, activity);

    // A repeated client id returns the first outcome; the first caller runs the job.
    const key = this.keys.idempotency(session.id, createHash('sha256').update(input.id).digest('base64url'));
    const claimed = await this.redis.set(key, 'pending', 'PX', this.opts.ttlMs, 'NX');
    if (claimed) {
      const result = await this.enqueue(session, verb, activity);
      await this.redis.set(key, sealJson(session.dek, result, `idem\n${key}`), 'PX', this.opts.ttlMs);
      return result;
    }
    const deadline = Date.now() + this.opts.jobTimeoutMs + 1000;
    while (Date.now() < deadline) {
      const stored = await this.redis.get(key);
      if (stored && stored !== 'pending') return openJson<JobOutcome>(session.dek, stored, `idem\n${key}`);
      if (!stored) break;
      await new Promise((r) => setTimeout(r, IDEMPOTENCY_POLL_MS));
    }
    return { ok: false, error: { code: 'TIMEOUT', message: `activity "${input.id}" is still running in another request` } };
  }

  private async enqueue(session: Session, verb: Verb, activity: ASActivity): Promise<JobOutcome> {
    const platform = activity.platform as string;
    const actor = activity.actor.id as string;
    const p = this.platforms.get(platform).descriptor;
    let queueName = platformQueue(platform);
    let connKey: string | undefined;

    if (PlatformRegistry.needsConnection(p, verb)) {
      connKey = await this.credentials.connectionKey(session.id, platform, actor);
      if (!connKey) {
        throw new HubError('BAD_USER_INPUT', `no credentials for ${actor} on ${platform}: call setCredentials first`, { field: 'actor.id' });
      }
      const attached = await this.attachedOrAttach(session.id, connKey, platform, actor, verb);
      if (!attached) throw new HubError('PLATFORM_ERROR', `${actor} is not connected on ${platform}: call connect first`);
      const owner = await this.redis.get(this.keys.connectionOwner(connKey));
      if (owner) queueName = workerQueue(owner);
    }

    const jobId = randomBytes(12).toString('base64url');
    const data: JobData = {
      v: verb,
      p: platform,
      sid: session.id,
      a: actor,
      reply: this.replies.streamKey,
      deadline: Date.now() + this.opts.jobTimeoutMs,
      body: sealJson(session.dek, activity, jobAad(session.id, jobId)),
      ...(connKey ? { k: connKey } : {}),
    };
    const waiting = this.replies.wait(jobId, session.id, session.dek, this.opts.jobTimeoutMs);
    try {
      await this.queue(queueName).add(verb, data, { jobId, removeOnComplete: true, removeOnFail: { count: 1000, age: 3600 }, attempts: 1 });
    } catch (err) {
      this.replies.cancel(jobId);
      throw new HubError('UNAVAILABLE', `could not queue the activity: ${(err as Error).message}`);
    }
    return waiting;
  }

  /** connect attaches the session to the connection; every other verb needs it attached already. */
  private async attachedOrAttach(sid: string, connKey: string, platform: string, actor: string, verb: Verb): Promise<boolean> {
    if (verb !== 'connect') return (await this.redis.sismember(this.keys.attached(sid), connKey)) === 1;
    await this.redis
      .multi()
      .sadd(this.keys.connectionSessions(connKey), sid)
      .hset(this.keys.connection(connKey), { platform, actor })
      .sadd(this.keys.attached(sid), connKey)
      .pexpire(this.keys.attached(sid), this.opts.ttlMs)
      .exec();
    return true;
  }

  /** Tells the owner of each connection that the session left; the owner closes unshared ones. */
  async detachAll(sid: string, dek: Buffer, connKeys: string[]): Promise<void> {
    await Promise.all(
      connKeys.map(async (k) => {
        const [owner, meta] = await Promise.all([this.redis.get(this.keys.connectionOwner(k)), this.redis.hgetall(this.keys.connection(k))]);
        if (!owner || !meta.platform) return;
        const jobId = randomBytes(12).toString('base64url');
        const data: JobData = {
          v: 'disconnect',
          p: meta.platform,
          sid,
          a: meta.actor ?? '',
          k,
          reply: this.replies.streamKey,
          deadline: Date.now() + this.opts.jobTimeoutMs,
          body: sealJson(dek, { type: 'disconnect', actor: { id: meta.actor ?? '', type: 'person' } }, jobAad(sid, jobId)),
        };
        await this.queue(workerQueue(owner)).add('disconnect', data, { jobId, removeOnComplete: true, removeOnFail: { count: 1000 } });
      }),
    );
  }
}
