// The persistent connections one worker process owns: who owns which connection (a lease in
// Redis that this process renews), which sessions are attached to each, and what runs on them.
import type { Redis } from 'ioredis';
import { HubError } from '../errors.js';
import type { Keys } from '../redis/keys.js';
import type { Logger } from '../log.js';
import type { ASActivity, Verb } from '../platform/types.js';
import type { PlatformRegistry } from '../platform/registry.js';
import type { CredentialsStore } from '../credentials/store.js';
import type { DataKeys } from '../session/data-keys.js';
import { Supervisor, type HostSpec } from '../pool/supervisor.js';
import type { EventPublisher } from '../events/publisher.js';
import type { NetPolicy } from '../net/policy.js';


// Renew only leases that are still ours; report the ones we lost.
const RENEW = `
local lost = {}
for i, key in ipairs(KEYS) do
  if redis.call('GET', key) == ARGV[1] then redis.call('PEXPIRE', key, ARGV[2]) else lost[#lost + 1] = i end
end
return lost`;
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
const DROP_IF_EMPTY = `if redis.call('SCARD', KEYS[1]) == 0 then return redis.call('DEL', KEYS[1], KEYS[2]) end return 0`;

export type Routed = { kind: 'done'; activity: ASActivity } | { kind: 'forward'; owner: string };

export class Connections {
  readonly supervisor: Supervisor;
  private readonly attached = new Map<string, Set<string>>();
  /** activities waiting to be published, per connection; present while a write is in flight */
  private readonly outboxes = new Map<string, ASActivity[]>();
  private maintenance: NodeJS.Timeout | undefined;

  constructor(
    readonly workerId: string,
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly platforms: PlatformRegistry,
    private readonly credentials: CredentialsStore,
    private readonly dataKeys: DataKeys,
    private readonly publisher: EventPublisher,
    private readonly log: Logger,
    private readonly opts: { threads: number; net: NetPolicy; heartbeatMs: number; openTimeoutMs: number; leaseMs: number },
  ) {
    redis.defineCommand('hubgraphRenew', { lua: RENEW });
    redis.defineCommand('hubgraphRelease', { numberOfKeys: 1, lua: RELEASE });
    redis.defineCommand('hubgraphDropIfEmpty', { numberOfKeys: 2, lua: DROP_IF_EMPTY });
    this.supervisor = new Supervisor(
      {
        onEvent: (spec, activity) => this.emit(spec, activity),
        reloadCredentials: (spec) => this.reloadCredentials(spec),
        onGone: (spec) => void this.forget(spec.connKey),
      },
      log,
      opts,
    );
    this.maintenance = setInterval(() => void this.maintain(), opts.leaseMs / 3);
    this.maintenance.unref();
  }

  /** connect: attach the session; open the connection here unless another worker owns it. */
  async connect(sid: string, connKey: string, platform: string, actor: string, activity: ASActivity, timeoutMs: number): Promise<Routed> {
    if (!this.supervisor.has(connKey)) {
      if (!this.supervisor.owns(connKey)) {
        const claimed = await this.redis.set(this.keys.connectionOwner(connKey), this.workerId, 'PX', this.opts.leaseMs, 'NX');
        if (!claimed) {
          const owner = await this.redis.get(this.keys.connectionOwner(connKey));
          if (owner && owner !== this.workerId) return { kind: 'forward', owner };
        }
      }
      const dek = await this.dataKeys.get(sid);
      const creds = dek && (await this.credentials.get(sid, dek, platform, actor));
      if (!creds || creds.connKey !== connKey) {
        if (!this.supervisor.owns(connKey)) await this.release(connKey);
        throw new HubError('BAD_USER_INPUT', `the credentials for ${actor} changed or were removed; set them again and connect`);
      }
      try {
        // joins an open already in flight for this key: never two protocol connections for one key
        await this.supervisor.open(this.spec(connKey, platform, actor), creds.credentials, timeoutMs);
      } catch (err) {
        if (!this.supervisor.owns(connKey)) await this.release(connKey);
        throw err;
      }
    }
    this.sessionsOf(connKey).add(sid);
    return { kind: 'done', activity: { ...activity, object: { type: 'status', content: 'connected' } } };
  }

  /** Any verb but connect/disconnect on a connection this worker holds (or forwards to its owner). */
  async command(connKey: string, verb: Verb, activity: ASActivity, timeoutMs: number): Promise<Routed> {
    if (!this.supervisor.has(connKey)) {
      const owner = await this.redis.get(this.keys.connectionOwner(connKey));
      if (owner && owner !== this.workerId) return { kind: 'forward', owner };
      throw new HubError('PLATFORM_ERROR', `${activity.actor.id} is not connected: call connect first`);
    }
    const result = await this.supervisor.command(connKey, verb, activity, timeoutMs);
    return { kind: 'done', activity: result ?? activity };
  }

  /** disconnect: detach the session; close the connection when no session is left on it. */
  async disconnect(sid: string, connKey: string, activity: ASActivity): Promise<Routed> {
    if (!this.supervisor.has(connKey)) {
      const owner = await this.redis.get(this.keys.connectionOwner(connKey));
      if (owner && owner !== this.workerId) return { kind: 'forward', owner };
    }
    await this.redis.multi().srem(this.keys.connectionSessions(connKey), sid).srem(this.keys.attached(sid), connKey).exec();
    this.attached.get(connKey)?.delete(sid);
    const left = await this.redis.scard(this.keys.connectionSessions(connKey));
    if (left === 0) this.supervisor.close(connKey);
    return { kind: 'done', activity };
  }

  async stop(): Promise<void> {
    if (this.maintenance) clearInterval(this.maintenance);
    const owned = this.supervisor.ownedKeys();
    await this.supervisor.stop();
    await Promise.all(owned.map((k) => this.release(k).catch(() => {})));
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
    void this.flush(spec, outbox);
  }

  private async flush(spec: HostSpec, outbox: ASActivity[]): Promise<void> {
    try {
      while (outbox.length) {
        const batch = outbox.splice(0, outbox.length);
        let sids = this.attached.get(spec.connKey);
        if (!sids || sids.size === 0) {
          sids = new Set(await this.redis.smembers(this.keys.connectionSessions(spec.connKey)));
          this.attached.set(spec.connKey, sids);
        }
        const gone = await this.publisher.publish(spec.platform, spec.actor, sids, batch);
        for (const sid of gone) sids.delete(sid);
        if (gone.length) await this.redis.srem(this.keys.connectionSessions(spec.connKey), ...gone);
      }
    } catch (err) {
      this.log.error({ err: (err as Error).message }, 'publishing inbound activities failed');
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
    await this.release(connKey);
    await (this.redis as unknown as { hubgraphDropIfEmpty(a: string, b: string): Promise<number> }).hubgraphDropIfEmpty(
      this.keys.connectionSessions(connKey), this.keys.connection(connKey),
    );
  }

  private async release(connKey: string): Promise<void> {
    await (this.redis as unknown as { hubgraphRelease(k: string, v: string): Promise<number> }).hubgraphRelease(this.keys.connectionOwner(connKey), this.workerId);
  }

  private async pipelined(commands: string[][]): Promise<unknown[]> {
    if (!commands.length) return [];
    const res = (await this.redis.pipeline(commands).exec()) ?? [];
    return res.map(([err, value]) => (err ? null : value));
  }

  /** Renews leases, drops connections another worker took over, closes ones nobody is attached to. */
  private async maintain(): Promise<void> {
    const owned = this.supervisor.ownedKeys();
    if (!owned.length) return;
    try {
      const lost = (await (this.redis as unknown as { hubgraphRenew(n: number, ...a: (string | number)[]): Promise<number[]> }).hubgraphRenew(
        owned.length, ...owned.map((k) => this.keys.connectionOwner(k)), this.workerId, this.opts.leaseMs,
      ));
      for (const i of lost) {
        const k = owned[i - 1];
        if (!k) continue;
        this.log.warn({ connKey: k }, 'lease on a connection was lost; closing it here');
        this.supervisor.close(k);
      }
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
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'connection maintenance failed; will retry');
    }
  }
}
