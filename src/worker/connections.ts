// The persistent connections one worker process owns: who owns which connection (a lease in
// Redis that this process renews), which sessions are attached to each, and what runs on them.
import type { Redis } from 'ioredis';
import { HubError, isRedisUnreachable } from '../errors.js';
import type { Keys } from '../redis/keys.js';
import type { Logger } from '../log.js';
import type { ASActivity, Verb } from '../platform/types.js';
import type { PlatformRegistry } from '../platform/registry.js';
import type { CredentialsStore } from '../credentials/store.js';
import type { DataKeys } from '../session/data-keys.js';
import { Supervisor, type HostSpec } from '../pool/supervisor.js';
import { PublishError, type EventPublisher } from '../events/publisher.js';
import type { NetPolicy } from '../net/policy.js';
import type { Keyring } from '../crypto/keys.js';
import { Leases, liveOwner } from './leases.js';

const PUBLISH_RETRY_MS = 100;
const PUBLISH_RETRY_MAX_MS = 2_000;
/** activities of one connection kept while Redis is away; beyond that the oldest go (and are logged) */
const MAX_UNPUBLISHED = 10_000;

const DROP_IF_EMPTY = `if redis.call('SCARD', KEYS[1]) == 0 then return redis.call('DEL', KEYS[1], KEYS[2]) end return 0`;

export type Routed = { kind: 'done'; activity: ASActivity } | { kind: 'forward'; owner: string };

interface StateWrite {
  /** settles once the write in flight and any newer state queued behind it are in Redis */
  done: Promise<void>;
  next?: { state: unknown };
}

export class Connections {
  readonly supervisor: Supervisor;
  readonly leases: Leases;
  private readonly attached = new Map<string, Set<string>>();
  /** activities waiting to be published, per connection; present while a write is in flight */
  private readonly outboxes = new Map<string, ASActivity[]>();
  private maintenance: NodeJS.Timeout | undefined;
  private stopping = false;
  private maintaining = false;
  private lastRenewed = 0;
  private lastCleanup = 0;
  /** per connection: the state write in flight, and the newest state waiting to follow it */
  private readonly stateWrites = new Map<string, StateWrite>();
  /** outboxes being published, awaited by stop() */
  private readonly flushing = new Set<Promise<void>>();

  constructor(
    readonly workerId: string,
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly platforms: PlatformRegistry,
    private readonly credentials: CredentialsStore,
    private readonly dataKeys: DataKeys,
    private readonly publisher: EventPublisher,
    private readonly keyring: Keyring,
    private readonly log: Logger,
    private readonly opts: { threads: number; net: NetPolicy; heartbeatMs: number; openTimeoutMs: number; leaseMs: number },
  ) {
    this.leases = new Leases(redis, keys, workerId, opts.leaseMs);
    redis.defineCommand('hubgraphDropIfEmpty', { numberOfKeys: 2, lua: DROP_IF_EMPTY });
    this.supervisor = new Supervisor(
      {
        onEvent: (spec, activity) => this.emit(spec, activity),
        reloadCredentials: (spec) => this.reloadCredentials(spec),
        onGone: (spec) => void this.forget(spec.connKey).catch((err: Error) => this.log.warn({ err: err.message }, 'cleaning up after a closed connection failed')),
        onState: (spec, state) => this.saveState(spec.connKey, state),
      },
      log,
      opts,
    );
  }

  /** Registers this worker as alive and starts renewing; call before taking any job. */
  async start(): Promise<void> {
    await this.leases.register();
    this.lastRenewed = Date.now();
    this.maintenance = setInterval(() => void this.maintain(), this.opts.leaseMs / 3);
    this.maintenance.unref();
  }

  /** connect: attach the session; open the connection here unless another worker owns it. */
  async connect(sid: string, connKey: string, platform: string, actor: string, activity: ASActivity, timeoutMs: number): Promise<Routed> {
    if (!this.supervisor.has(connKey)) {
      // a connection a dead (or stopped) worker held, taken over by this connect before the sweep
      // got to it: the sessions already attached are told, as when the sweep takes one over
      let takeover: 'none' | 'held' | 'handedOver' = 'none';
      if (!this.supervisor.owns(connKey)) {
        const { owner, before } = await this.leases.claimForConnect(connKey);
        if (owner !== this.workerId) return { kind: 'forward', owner };
        takeover = before;
      }
      const dek = await this.dataKeys.get(sid);
      const creds = dek && (await this.credentials.get(sid, dek, platform, actor));
      if (!creds || creds.connKey !== connKey) {
        if (!this.supervisor.owns(connKey)) await this.leases.release(connKey);
        throw new HubError('BAD_USER_INPUT', `the credentials for ${actor} changed or were removed; set them again and connect`);
      }
      try {
        // joins an open already in flight for this key: never two protocol connections for one key
        // a connection lost with its worker comes back with what it had (channels, rooms)
        const spec = this.spec(connKey, platform, actor);
        const restored = await this.loadState(connKey);
        if (takeover === 'none') await this.supervisor.open(spec, creds.credentials, timeoutMs, restored);
        else await this.supervisor.adoptNow(spec, creds.credentials, restored, takeover === 'held', timeoutMs);
      } catch (err) {
        if (!this.supervisor.owns(connKey)) await this.afterFailedOpen(sid, connKey, platform, actor);
        throw err;
      }
    }
    this.sessionsOf(connKey).add(sid);
    return { kind: 'done', activity: { ...activity, object: { type: 'status', content: 'connected' } } };
  }

  /** Any verb but connect/disconnect on a connection this worker holds (or forwards to its owner). */
  async command(connKey: string, verb: Verb, activity: ASActivity, timeoutMs: number): Promise<Routed> {
    const started = Date.now();
    if (!this.supervisor.has(connKey)) {
      const owner = await liveOwner(this.redis, this.keys, connKey);
      if (owner && owner !== this.workerId) return { kind: 'forward', owner };
      // nobody holds it: its worker died (or handed it over) and the sweep has not reopened it yet
      const adopted = await this.adopt(connKey, timeoutMs);
      if (adopted.kind === 'forward') return adopted;
      if (adopted.kind === 'nothing') throw new HubError('PLATFORM_ERROR', `${activity.actor.id} is not connected: call connect first`);
    }
    // what the reopen used counts against the job's deadline: a late command must not run after its caller gave up
    const left = timeoutMs - (Date.now() - started);
    if (left <= 0) throw new HubError('TIMEOUT', `${verb} waited for its connection to be reopened past its deadline; it was not carried out`);
    const result = await this.supervisor.command(connKey, verb, activity, left);
    return { kind: 'done', activity: result ?? activity };
  }

  /** disconnect: detach the session; close the connection when no session is left on it. */
  async disconnect(sid: string, connKey: string, activity: ASActivity): Promise<Routed> {
    if (!this.supervisor.has(connKey)) {
      const owner = await liveOwner(this.redis, this.keys, connKey);
      if (owner && owner !== this.workerId) return { kind: 'forward', owner };
    }
    await this.redis.multi().srem(this.keys.connectionSessions(connKey), sid).srem(this.keys.attached(sid), connKey).exec();
    this.attached.get(connKey)?.delete(sid);
    const left = await this.redis.scard(this.keys.connectionSessions(connKey));
    if (left === 0) this.supervisor.close(connKey);
    return { kind: 'done', activity };
  }

  /**
   * Takes over a connection nobody holds any more, from its stored credentials and state.
   * `waitMs` set: reopens it now and resolves once it is usable (a command is waiting on it);
   * unset: reopens it in the background, with backoff (the sweep).
   */
  async adopt(connKey: string, waitMs?: number): Promise<{ kind: 'adopted' } | { kind: 'nothing' } | { kind: 'forward'; owner: string }> {
    if (this.supervisor.has(connKey)) return { kind: 'adopted' };
    const meta = await this.redis.hgetall(this.keys.connection(connKey));
    const platform = meta.platform;
    if (platform && !this.platforms.ids().includes(platform)) return { kind: 'nothing' }; // a worker that runs it will
    const handedOver = await this.leases.handedOver(connKey);
    if (!this.supervisor.owns(connKey)) {
      const owner = await this.leases.claim(connKey, 'adopt');
      if (owner === '') return { kind: 'nothing' }; // it ended for good
      if (owner !== this.workerId) return { kind: 'forward', owner };
    }
    const spec = platform && meta.actor !== undefined ? this.spec(connKey, platform, meta.actor) : undefined;
    const credentials = spec && (await this.reloadCredentials(spec));
    if (!spec || credentials === undefined) {
      // no attached session can reopen it: it is over
      if (!this.supervisor.owns(connKey)) await this.forget(connKey);
      return { kind: 'nothing' };
    }
    const restored = await this.loadState(connKey);
    this.log.info({ platform: spec.platform, actor: spec.actor, handedOver }, 'taking over a connection another worker held');
    if (waitMs === undefined) this.supervisor.adopt(spec, restored, !handedOver);
    else await this.supervisor.adoptNow(spec, credentials, restored, !handedOver, waitMs);
    return { kind: 'adopted' };
  }

  /**
   * A connect whose open failed: a connection other sessions still count on (one being taken over
   * from a dead worker) goes on being retried in the background; one only this session wanted is let go.
   */
  private async afterFailedOpen(sid: string, connKey: string, platform: string, actor: string): Promise<void> {
    const others = (await this.redis.smembers(this.keys.connectionSessions(connKey))).filter((s) => s !== sid);
    if (others.length && (await this.leases.claim(connKey, 'adopt')) === this.workerId) {
      this.supervisor.adopt(this.spec(connKey, platform, actor), await this.loadState(connKey), false);
      return;
    }
    await this.leases.release(connKey);
  }

  /**
   * Stops this worker: subscribers are told, every connection is closed here and handed over, so
   * a surviving worker's sweep reopens it at once (or this deployment's next worker, if none is left).
   */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.maintenance) clearInterval(this.maintenance);
    const owned = this.supervisor.ownedKeys();
    await Promise.all(owned.map((k) => this.announceHandover(k).catch(() => {})));
    await this.supervisor.stop();
    // what the connections said while closing is published before the process goes
    await Promise.all([...this.flushing]);
    await Promise.all([...this.stateWrites.values()].map((w) => w.done));
    await Promise.all(owned.map((k) => this.leases.handOver(k).catch(() => {})));
    await this.leases.leave().catch(() => {});
  }

  private async announceHandover(connKey: string): Promise<void> {
    const meta = await this.redis.hgetall(this.keys.connection(connKey));
    if (!meta.platform) return;
    const sids = new Set(await this.redis.smembers(this.keys.connectionSessions(connKey)));
    await this.publisher.publish(meta.platform, meta.actor ?? '', sids, [{
      type: 'disconnect',
      platform: meta.platform,
      actor: { id: meta.actor ?? '', type: 'person' },
      object: { type: 'status', content: 'the worker holding this connection is stopping; another worker reopens it' },
    }]);
  }

  /**
   * Keeps a connection's newest state in Redis, for a worker that takes it over. One write at a
   * time per connection, and only the newest state waiting behind it: a platform may save on every
   * message (XMPP rooms save what they last saw), and states in between would be overwritten
   * anyway. A thread crash does not need Redis: the supervisor restores from the state it holds.
   */
  private saveState(connKey: string, state: unknown): void {
    const inFlight = this.stateWrites.get(connKey);
    if (inFlight) {
      inFlight.next = { state };
      return;
    }
    const w: StateWrite = { done: Promise.resolve() };
    const write = async (s: unknown): Promise<void> => {
      try {
        await this.redis.set(this.keys.connectionState(connKey), this.keyring.sealState(connKey, s));
      } catch (err) {
        this.log.warn({ err: (err as Error).message }, 'saving a connection state failed');
      }
      const next = w.next;
      w.next = undefined;
      if (next) return write(next.state);
      // in the same synchronous step as the check above: a state saved from now on starts anew
      if (this.stateWrites.get(connKey) === w) this.stateWrites.delete(connKey);
    };
    w.done = write(state);
    this.stateWrites.set(connKey, w);
  }

  private async loadState(connKey: string): Promise<unknown> {
    const sealed = await this.redis.get(this.keys.connectionState(connKey));
    if (!sealed) return undefined;
    try {
      return this.keyring.openState(connKey, sealed);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'a saved connection state could not be read; reopening without it');
      return undefined;
    }
  }

  private spec(connKey: string, platform: string, actor: string): HostSpec {
    const module = this.platforms.get(platform).descriptor.sessionModule;
    if (!module) throw new HubError('INTERNAL_SERVER_ERROR', `platform ${platform} has no session module`);
    return { connKey, platform, actor, module: module.href };
  }

  private sessionsOf(connKey: string): Set<string> {
    let s = this.attached.get(connKey);
    if (!s) {
      s = new Set();
      this.attached.set(connKey, s);
    }
    return s;
  }

  /** Events of one connection are published strictly in the order the platform emitted them;
   *  those that arrive while a write is in flight are batched into the next one. */
  private emit(spec: HostSpec, activity: ASActivity): void {
    let outbox = this.outboxes.get(spec.connKey);
    if (outbox) {
      outbox.push(activity);
      return;
    }
    outbox = [activity];
    this.outboxes.set(spec.connKey, outbox);
    const flushed: Promise<void> = this.flush(spec, outbox).finally(() => this.flushing.delete(flushed));
    this.flushing.add(flushed);
  }

  private async flush(spec: HostSpec, outbox: ASActivity[]): Promise<void> {
    let retryMs = PUBLISH_RETRY_MS;
    try {
      while (outbox.length) {
        const batch = outbox.splice(0, outbox.length);
        try {
          let sids = this.attached.get(spec.connKey);
          if (!sids || sids.size === 0) {
            sids = new Set(await this.redis.smembers(this.keys.connectionSessions(spec.connKey)));
            this.attached.set(spec.connKey, sids);
          }
          const gone = await this.publisher.publish(spec.platform, spec.actor, sids, batch);
          for (const sid of gone) sids.delete(sid);
          retryMs = PUBLISH_RETRY_MS;
          // published: forgetting expired sessions is housekeeping, and must not publish the batch again
          if (gone.length) await this.redis.srem(this.keys.connectionSessions(spec.connKey), ...gone).catch(() => undefined);
        } catch (err) {
          if (!(err instanceof PublishError) && !isRedisUnreachable(err)) {
            // not an outage (a key that does not open, say): retrying would block this connection's events for good
            this.log.error({ err: (err as Error).message, platform: spec.platform, dropped: batch.length }, 'inbound activities could not be published; dropped');
            continue;
          }
          // Redis is away: keep what was not published, in order, and try again until it is back
          outbox.unshift(...batch.slice(err instanceof PublishError ? err.published : 0));
          const over = outbox.length - MAX_UNPUBLISHED;
          if (over > 0) {
            outbox.splice(0, over);
            this.log.error({ platform: spec.platform, dropped: over }, 'inbound activities dropped: too many waiting for Redis');
          }
          if (this.stopping) {
            this.log.error({ err: (err as Error).message, lost: outbox.length }, 'publishing inbound activities failed while stopping');
            return;
          }
          this.log.warn({ err: (err as Error).message, waiting: outbox.length, retryMs }, 'publishing inbound activities failed; retrying');
          await new Promise((r) => setTimeout(r, retryMs));
          retryMs = Math.min(retryMs * 2, PUBLISH_RETRY_MAX_MS);
        }
      }
    } finally {
      this.outboxes.delete(spec.connKey);
    }
  }

  private async reloadCredentials(spec: HostSpec): Promise<unknown> {
    const sids = await this.redis.smembers(this.keys.connectionSessions(spec.connKey));
    for (const sid of sids) {
      const dek = await this.dataKeys.get(sid);
      if (!dek) continue;
      const creds = await this.credentials.get(sid, dek, spec.platform, spec.actor);
      if (creds?.connKey === spec.connKey) return creds.credentials;
    }
    return undefined;
  }

  /** The connection is gone for good: release it, and drop its registry keys once nobody is attached. */
  private async forget(connKey: string): Promise<void> {
    this.attached.delete(connKey);
    await this.stateWrites.get(connKey)?.done;
    // opened again here meanwhile (a new connect): it is not gone
    if (this.supervisor.owns(connKey)) return;
    // another worker took it over (our lease ran out): what is left in Redis is now its own
    if (!(await this.leases.release(connKey))) return;
    await this.redis.del(this.keys.connectionState(connKey));
    await (this.redis as unknown as { hubgraphDropIfEmpty(a: string, b: string): Promise<number> }).hubgraphDropIfEmpty(
      this.keys.connectionSessions(connKey), this.keys.connection(connKey),
    );
  }

  private async pipelined(commands: string[][]): Promise<unknown[]> {
    if (!commands.length) return [];
    const res = (await this.redis.pipeline(commands).exec()) ?? [];
    return res.map(([err, value]) => (err ? null : value));
  }

  /** Renews leases, drops connections another worker took over, closes ones nobody is attached to. */
  private async maintain(): Promise<void> {
    if (this.maintaining) return; // a slow pass (thousands of connections) does not overlap the next
    this.maintaining = true;
    try {
      await this.renewLeases();
      const now = Date.now();
      if (now - this.lastCleanup >= this.opts.leaseMs) {
        this.lastCleanup = now;
        await this.dropDeadSessions();
      }
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'connection maintenance failed; will retry');
      // unable to renew for a whole lease: other workers may be taking these connections over
      if (Date.now() - this.lastRenewed > this.opts.leaseMs) this.fence('its leases could not be renewed for longer than a lease');
    } finally {
      this.maintaining = false;
    }
  }

  private async renewLeases(): Promise<void> {
    // also keeps this worker registered as alive, with or without connections
    const owned = this.supervisor.ownedKeys();
    const { lost, wasRemoved } = await this.leases.renew(owned);
    this.lastRenewed = Date.now();
    // found dead meanwhile (a stall longer than the lease): its queue was taken over, and any
    // connection another worker took is in `lost`; the rest are still its own
    if (wasRemoved) this.log.warn({ lost: lost.length }, 'this worker had been found dead (it stalled for longer than a lease); registered again');
    for (const k of lost) {
      this.log.warn({ connKey: k }, 'lease on a connection was lost; closing it here');
      this.supervisor.close(k);
    }
  }

  /** Closes every connection held here, without handing it over: other workers own them now. */
  private fence(why: string): void {
    const owned = this.supervisor.ownedKeys();
    if (!owned.length) return;
    this.log.error({ connections: owned.length }, `closing every connection held here: ${why}`);
    for (const k of owned) this.supervisor.close(k);
  }

  /** Detaches sessions that expired; closes connections nobody live is attached to. */
  private async dropDeadSessions(): Promise<void> {
    const owned = this.supervisor.ownedKeys();
    if (!owned.length) return;
    // two pipelined round trips for every connection this worker holds, however many there are
    const members = await this.pipelined(owned.map((k) => ['smembers', this.keys.connectionSessions(k)]));
    const sidsOf = owned.map((_, i) => (members[i] as string[] | null) ?? []);
    const allSids = [...new Set(sidsOf.flat())];
    const alive = await this.pipelined(allSids.map((sid) => ['exists', this.keys.session(sid)]));
    const live = new Set(allSids.filter((_, i) => alive[i] === 1));
    for (const [i, k] of owned.entries()) {
      const sids = sidsOf[i] as string[];
      const dead = sids.filter((sid) => !live.has(sid));
      if (dead.length) {
        await this.redis.srem(this.keys.connectionSessions(k), ...dead);
        for (const sid of dead) this.attached.get(k)?.delete(sid);
      }
      if (dead.length === sids.length) {
        this.log.info({ connKey: k }, 'no live session is attached to a connection; closing it');
        this.supervisor.close(k);
      }
    }
  }
}
