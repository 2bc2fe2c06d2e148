// Who owns which persistent connection, and which workers are alive, in Redis. Every check and
// change is one Lua script, timed by Redis's own clock, so workers on several machines agree on
// when a lease has run out without trusting each other's clocks.
//
//   c:<connKey>:owner   worker id, PX lease: routes commands to the worker holding the connection
//   leases (zset)       connKey -> end of its lease; the sweep reads the expired ones (0 = handed over)
//   workers (zset)      worker id -> end of its registration; a worker not in it, or past it, is dead
import type { Redis } from 'ioredis';
import type { Keys } from '../redis/keys.js';

const NOW = `local t = redis.call('TIME') local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`;

// KEYS: owner, leases, workers. ARGV: me, leaseMs, connKey, mode. Returns the owner after the call:
// me when claimed (free, ours already, or held by a dead worker), else the live owner; '' when mode
// is "adopt" and the connection is not in the index (it ended for good: nothing to take over).
const CLAIM = `${NOW}
local cur = redis.call('GET', KEYS[1])
if cur and cur ~= ARGV[1] then
  local alive = redis.call('ZSCORE', KEYS[3], cur)
  if alive and tonumber(alive) >= now then return cur end
end
if ARGV[4] == 'adopt' and not redis.call('ZSCORE', KEYS[2], ARGV[3]) then return '' end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
redis.call('ZADD', KEYS[2], now + tonumber(ARGV[2]), ARGV[3])
return ARGV[1]`;

// KEYS: leases, workers, owner keys... ARGV: me, leaseMs, join ("1": register; "0": only renew),
// connKeys... (ARGV[i + 1] for KEYS[i]). Renews the worker's registration and each lease still ours;
// returns the 1-based indexes lost, with -1 first when the worker had been found dead and removed
// meanwhile (its queue was taken over; it registers again). A connection another worker claimed
// while this one was late is reported lost like any other: that is what stops it being open twice.
const RENEW = `${NOW}
local removed = ARGV[3] ~= '1' and not redis.call('ZSCORE', KEYS[2], ARGV[1])
local ends = now + tonumber(ARGV[2])
redis.call('ZADD', KEYS[2], ends, ARGV[1])
local lost = {}
for i = 3, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[1] then
    redis.call('PEXPIRE', KEYS[i], ARGV[2])
    redis.call('ZADD', KEYS[1], ends, ARGV[i + 1])
  else
    lost[#lost + 1] = i - 2
  end
end
if removed then table.insert(lost, 1, -1) end
return lost`;

// KEYS: owner, leases. ARGV: me, connKey, mode ("release": closed for good; "handover": reopen elsewhere).
const LET_GO = `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('DEL', KEYS[1])
if ARGV[3] == 'handover' then redis.call('ZADD', KEYS[2], 0, ARGV[2]) else redis.call('ZREM', KEYS[2], ARGV[2]) end
return 1`;

// KEYS: a sorted set. ARGV: limit. Members whose score has passed, with their scores.
const EXPIRED = `${NOW}
return redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'WITHSCORES', 'LIMIT', 0, tonumber(ARGV[1]))`;

// KEYS: owner, workers. The owner when it is a live worker, else false.
const LIVE_OWNER = `${NOW}
local cur = redis.call('GET', KEYS[1])
if not cur then return false end
local alive = redis.call('ZSCORE', KEYS[2], cur)
if alive and tonumber(alive) >= now then return cur end
return false`;

const RENEW_CHUNK = 500;

interface LeaseCommands {
  hubgraphClaim(owner: string, leases: string, workers: string, me: string, leaseMs: number, connKey: string, mode: 'connect' | 'adopt'): Promise<string>;
  hubgraphRenew(n: number, ...args: (string | number)[]): Promise<number[]>;
  hubgraphLetGo(owner: string, leases: string, me: string, connKey: string, mode: 'release' | 'handover'): Promise<number>;
  hubgraphExpired(key: string, limit: number): Promise<string[]>;
  hubgraphLiveOwner(owner: string, workers: string): Promise<string | null>;
}

export interface ExpiredLease {
  connKey: string;
  /** the previous owner closed it on purpose so another worker reopens it (no crash to report) */
  handedOver: boolean;
}

export function defineLeaseCommands(redis: Redis): void {
  redis.defineCommand('hubgraphClaim', { numberOfKeys: 3, lua: CLAIM });
  redis.defineCommand('hubgraphRenew', { lua: RENEW });
  redis.defineCommand('hubgraphLetGo', { numberOfKeys: 2, lua: LET_GO });
  redis.defineCommand('hubgraphExpired', { numberOfKeys: 1, lua: EXPIRED });
  redis.defineCommand('hubgraphLiveOwner', { numberOfKeys: 2, lua: LIVE_OWNER });
}

/** The owner of a connection if that worker is alive; null when it is free or its worker died. */
export async function liveOwner(redis: Redis, keys: Keys, connKey: string): Promise<string | null> {
  return (redis as unknown as LeaseCommands).hubgraphLiveOwner(keys.connectionOwner(connKey), keys.workers());
}

export class Leases {
  private readonly cmd: LeaseCommands;

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    readonly workerId: string,
    readonly leaseMs: number,
  ) {
    defineLeaseCommands(redis);
    this.cmd = redis as unknown as LeaseCommands;
  }

  /**
   * Takes the connection unless a live worker holds it; returns that worker's id, or ours.
   * `adopt`: only a connection still in the index (one that ended for good is not reopened); '' if not.
   */
  claim(connKey: string, mode: 'connect' | 'adopt' = 'connect'): Promise<string> {
    return this.cmd.hubgraphClaim(this.keys.connectionOwner(connKey), this.keys.leases(), this.keys.workers(), this.workerId, this.leaseMs, connKey, mode);
  }

  /** Registers this worker as alive (at start, or again after it was found dead). */
  async register(): Promise<void> {
    await this.cmd.hubgraphRenew(2, this.keys.leases(), this.keys.workers(), this.workerId, this.leaseMs, '1');
  }

  /**
   * Renews this worker's registration and its leases (registering it again if other workers had
   * found it dead: a stall longer than the lease); returns the connection keys it lost.
   */
  async renew(owned: string[]): Promise<{ lost: string[]; wasRemoved: boolean }> {
    const lost: string[] = [];
    let wasRemoved = false;
    for (let i = 0; i === 0 || i < owned.length; i += RENEW_CHUNK) {
      const chunk = owned.slice(i, i + RENEW_CHUNK);
      const idx = await this.cmd.hubgraphRenew(
        2 + chunk.length, this.keys.leases(), this.keys.workers(), ...chunk.map((k) => this.keys.connectionOwner(k)),
        this.workerId, this.leaseMs, '0', ...chunk,
      );
      for (const n of idx) {
        if (n === -1) wasRemoved = true;
        else if (chunk[n - 1]) lost.push(chunk[n - 1] as string);
      }
    }
    return { lost, wasRemoved };
  }

  /** Whether the previous owner handed the connection over (closed it on purpose, no crash to report). */
  async handedOver(connKey: string): Promise<boolean> {
    return (await this.redis.zscore(this.keys.leases(), connKey)) === '0';
  }

  /**
   * claim() for a connect, in the same round trip reading what the index said of the connection
   * before: `none` (never held, or closed for good), `held` (a worker holds it, or held it until it
   * died), or `handedOver`.
   */
  async claimForConnect(connKey: string): Promise<{ owner: string; before: 'none' | 'held' | 'handedOver' }> {
    const multi = this.redis.multi().zscore(this.keys.leases(), connKey) as unknown as { hubgraphClaim(...a: Parameters<LeaseCommands['hubgraphClaim']>): { exec(): Promise<[Error | null, unknown][] | null> } };
    const res = await multi.hubgraphClaim(this.keys.connectionOwner(connKey), this.keys.leases(), this.keys.workers(), this.workerId, this.leaseMs, connKey, 'connect').exec();
    const failed = res?.find(([err]) => err)?.[0];
    if (!res || failed) throw failed ?? new Error('the lease claim got no answer');
    const score = res[0]?.[1] as string | null;
    return { owner: res[1]?.[1] as string, before: score === null ? 'none' : score === '0' ? 'handedOver' : 'held' };
  }

  /** The connection is closed for good: nobody should reopen it. */
  async release(connKey: string): Promise<boolean> {
    return (await this.cmd.hubgraphLetGo(this.keys.connectionOwner(connKey), this.keys.leases(), this.workerId, connKey, 'release')) === 1;
  }

  /** This worker is stopping: the connection is closed here so that another worker reopens it at once. */
  async handOver(connKey: string): Promise<void> {
    await this.cmd.hubgraphLetGo(this.keys.connectionOwner(connKey), this.keys.leases(), this.workerId, connKey, 'handover');
  }

  /** Connections whose owner stopped renewing (or handed them over), oldest first. */
  async expired(limit: number): Promise<ExpiredLease[]> {
    const flat = await this.cmd.hubgraphExpired(this.keys.leases(), limit);
    const out: ExpiredLease[] = [];
    for (let i = 0; i + 1 < flat.length; i += 2) out.push({ connKey: flat[i] as string, handedOver: Number(flat[i + 1]) === 0 });
    return out;
  }

  /** Workers whose registration ran out. */
  async deadWorkers(limit = 100): Promise<string[]> {
    const flat = await this.cmd.hubgraphExpired(this.keys.workers(), limit);
    return flat.filter((_, i) => i % 2 === 0);
  }

  /** The right to clean up after a dead worker, for one sweeper at a time (it expires if that one dies too). */
  async claimCleanup(id: string): Promise<boolean> {
    return (await this.redis.set(this.keys.workerCleanup(id), this.workerId, 'PX', this.leaseMs * 2, 'NX')) === 'OK';
  }

  /** The dead worker's queue is taken care of: forget it. */
  async buryWorker(id: string): Promise<void> {
    await this.redis.zrem(this.keys.workers(), id);
  }

  /**
   * A worker that stops cleanly marks itself dead at once (score 0) rather than waiting to be
   * found so: whatever reached its queue after it stopped taking jobs is requeued by the next sweep.
   */
  async leave(): Promise<void> {
    await this.redis.zadd(this.keys.workers(), 0, this.workerId);
  }
}
