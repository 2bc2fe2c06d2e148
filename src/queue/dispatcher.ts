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
import type { Session, SessionStore } from '../session/store.js';
import type { CredentialsStore } from '../credentials/store.js';
import type { JobData } from './job.js';
import { JOB_OPTIONS, jobAad } from './job.js';
import type { JobOutcome, Replies } from './replies.js';
import { jobDuration, jobsTotal } from '../metrics.js';
import { defineLeaseCommands, liveOwner } from '../worker/leases.js';

const IDEMPOTENCY_POLL_MS = 25;

export class Dispatcher {
  private readonly queues = new Map<string, Queue>();

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly platforms: PlatformRegistry,
    private readonly credentials: CredentialsStore,
    private readonly sessions: SessionStore,
    private readonly replies: Replies,
    private readonly opts: { jobTimeoutMs: number; ttlMs: number },
  ) {
    defineLeaseCommands(redis);
  }

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

    // A repeated client id returns the first outcome; the first caller runs the job. The claim
    // lives as long as a job may run, so a request that died cannot block the id for long.
    const key = this.keys.idempotency(session.id, createHash('sha256').update(input.id).digest('base64url'));
    const claimed = await this.redis.set(key, 'pending', 'PX', this.opts.jobTimeoutMs + 5_000, 'NX');
    if (claimed) {
      let result: JobOutcome;
      try {
        result = await this.enqueue(session, verb, activity);
      } catch (err) {
        // refused before it ran (no credentials, queue down): the client may try the id again
        await this.redis.del(key);
        throw err;
      }
      await this.redis.set(key, sealJson(session.dek, result, `idem\n${key}`), 'PX', this.opts.ttlMs);
      return result;
    }
    const deadline = Date.now() + this.opts.jobTimeoutMs + 1000;
    while (Date.now() < deadline) {
      const stored = await this.redis.get(key);
      if (stored && stored !== 'pending') return openJson<JobOutcome>(session.dek, stored, `idem\n${key}`);
      if (!stored) return this.run(session, verb, input);
      await new Promise((r) => setTimeout(r, IDEMPOTENCY_POLL_MS));
    }
    return { ok: false, error: { code: 'TIMEOUT', message: `activity "${input.id}" is still running in another request` } };
  }

  private async enqueue(session: Session, verb: Verb, activity: ASActivity): Promise<JobOutcome> {
    const platform = activity.platform as string;
    const actor = activity.actor.id as string;
    const p = this.platforms.get(platform).descriptor;
    if (!PlatformRegistry.needsConnection(p, verb)) return this.queueJob(platformQueue(platform), session, verb, platform, actor, undefined, activity);

    const connKey = (await this.credentials.get(session.id, session.dek, platform, actor))?.connKey;
    if (!connKey) {
      throw new HubError('BAD_USER_INPUT', `no credentials for ${actor} on ${platform}: call setCredentials first`, { field: 'actor.id' });
    }
    let newlyAttached = false;
    let owner: string | null;
    if (verb === 'connect') {
      newlyAttached = await this.attach(session.id, connKey, platform, actor);
      owner = await liveOwner(this.redis, this.keys, connKey);
    } else {
      // one round trip: is the session attached, and which live worker holds the connection (none:
      // the platform queue, where any worker reopens it)
      const multi = this.redis.multi().sismember(this.keys.attached(session.id), connKey) as unknown as { hubgraphLiveOwner(a: string, b: string): { exec(): Promise<[Error | null, unknown][] | null> } };
      const res = await multi.hubgraphLiveOwner(this.keys.connectionOwner(connKey), this.keys.workers()).exec();
      if (res?.[0]?.[1] !== 1) throw new HubError('PLATFORM_ERROR', `${actor} is not connected on ${platform}: call connect first`);
      owner = (res[1]?.[1] as string | null) ?? null;
    }
    const outcome = await this.queueJob(owner ? workerQueue(owner) : platformQueue(platform), session, verb, platform, actor, connKey, activity);
    if (newlyAttached && !outcome.ok) await this.detach(session.id, connKey);
    return outcome;
  }

  /** Queues one job and, unless `wait` is false, waits for its outcome on this process's reply stream. */
  private async queueJob(queueName: string, session: Session, verb: Verb, platform: string, actor: string, connKey: string | undefined, activity: ASActivity, wait = true): Promise<JobOutcome> {
    const jobId = randomBytes(12).toString('base64url');
    const route = { sid: session.id, v: verb, p: platform, a: actor, ...(connKey ? { k: connKey } : {}) };
    const data: JobData = {
      ...route,
      reply: this.replies.streamKey,
      deadline: Date.now() + this.opts.jobTimeoutMs,
      body: sealJson(session.dek, activity, jobAad(jobId, route)),
    };
    const waiting = wait ? this.replies.wait(jobId, session.id, session.dek, this.opts.jobTimeoutMs) : undefined;
    try {
      await this.queue(queueName).add(verb, data, { ...JOB_OPTIONS, jobId, attempts: 1 });
    } catch (err) {
      this.replies.cancel(jobId);
      throw new HubError('UNAVAILABLE', `could not queue the activity: ${(err as Error).message}`);
    }
    return waiting ?? { ok: true, activity };
  }

  /** Attaches the session to the connection (before connecting, so no event is missed); true if it was not yet. */
  private async attach(sid: string, connKey: string, platform: string, actor: string): Promise<boolean> {
    const res = await this.redis
      .multi()
      .sadd(this.keys.connectionSessions(connKey), sid)
      .hset(this.keys.connection(connKey), { platform, actor })
      .sadd(this.keys.attached(sid), connKey)
      .pexpire(this.keys.attached(sid), this.opts.ttlMs)
      .exec();
    return res?.[0]?.[1] === 1;
  }

  /** Undoes an attach whose connect failed; the registry keys go when nobody is left. */
  private async detach(sid: string, connKey: string): Promise<void> {
    await this.redis.multi().srem(this.keys.connectionSessions(connKey), sid).srem(this.keys.attached(sid), connKey).exec();
    if ((await this.redis.scard(this.keys.connectionSessions(connKey))) === 0 && !(await this.redis.exists(this.keys.connectionOwner(connKey)))) {
      await this.redis.del(this.keys.connection(connKey), this.keys.connectionSessions(connKey));
    }
  }

  /** Ends a session: its connections' owners are told it left (they close unshared ones), then its keys go. */
  async closeSession(session: Session): Promise<void> {
    const connKeys = await this.redis.smembers(this.keys.attached(session.id));
    await Promise.all(
      connKeys.map(async (k) => {
        const [owner, meta] = await Promise.all([liveOwner(this.redis, this.keys, k), this.redis.hgetall(this.keys.connection(k))]);
        if (!owner || !meta.platform) return;
        const actor = meta.actor ?? '';
        await this.queueJob(workerQueue(owner), session, 'disconnect', meta.platform, actor, k, { type: 'disconnect', actor: { id: actor, type: 'person' } }, false);
      }),
    );
    await this.sessions.close(session.id);
  }
}
