// API sessions: an opaque bearer token names a session whose state lives in Redis, so any API
// process serves any token. Redis stores sha256(token), never the token itself.
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import { HubError } from '../errors.js';
import type { Keyring } from '../crypto/keys.js';
import type { Keys } from '../redis/keys.js';
import { DataKeys } from './data-keys.js';
import { sessionsOpened } from '../metrics.js';

export interface Session {
  id: string;
  dek: Buffer;
}

const TOUCH = `
for i, key in ipairs(KEYS) do redis.call('PEXPIRE', key, ARGV[1]) end
return 1`;

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

export class SessionStore {
  readonly dataKeys: DataKeys;
  private readonly lastTouch = new Map<string, number>();

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly keyring: Keyring,
    readonly ttlMs: number,
  ) {
    this.dataKeys = new DataKeys(redis, keys, keyring);
    redis.defineCommand('hubgraphTouch', { lua: TOUCH });
  }

  async open(): Promise<{ token: string; session: Session; expiresAt: Date }> {
    const token = randomBytes(32).toString('base64url');
    const sid = randomBytes(16).toString('base64url');
    const dek = this.keyring.newDataKey();
    await this.redis
      .multi()
      .set(this.keys.token(hashToken(token)), sid, 'PX', this.ttlMs)
      .hset(this.keys.session(sid), { dek: this.keyring.wrap(dek, sid), token: hashToken(token), created: new Date().toISOString() })
      .pexpire(this.keys.session(sid), this.ttlMs)
      .exec();
    this.dataKeys.remember(sid, dek);
    this.lastTouch.set(sid, Date.now());
    sessionsOpened.inc();
    return { token, session: { id: sid, dek }, expiresAt: new Date(Date.now() + this.ttlMs) };
  }

  /** Resolves a bearer token (with or without the "Bearer " prefix) and slides the idle TTL. */
  async authenticate(header: string | undefined | null): Promise<Session> {
    const token = parseBearer(header);
    const tokenHash = hashToken(token);
    const sid = await this.redis.get(this.keys.token(tokenHash));
    if (!sid) throw new HubError('UNAUTHENTICATED', 'the session token is unknown or has expired; call openSession for a new one');
    const dek = await this.dataKeys.get(sid);
    if (!dek) throw new HubError('UNAUTHENTICATED', 'the session has expired; call openSession for a new one');
    await this.touch(sid, tokenHash);
    return { id: sid, dek };
  }

  /** Extends every key of a live session by the idle TTL (at most every ttl/20, per process). */
  async touch(sid: string, tokenHash?: string, force = false): Promise<void> {
    const now = Date.now();
    if (!force && now - (this.lastTouch.get(sid) ?? 0) < this.ttlMs / 20) return;
    this.lastTouch.set(sid, now);
    if (this.lastTouch.size > 100_000) this.lastTouch.clear();
    const th = tokenHash ?? (await this.redis.hget(this.keys.session(sid), 'token'));
    const keys = [this.keys.session(sid), this.keys.credentials(sid), this.keys.attached(sid), this.keys.events(sid)];
    if (th) keys.push(this.keys.token(th));
    await (this.redis as unknown as { hubgraphTouch(n: number, ...a: (string | number)[]): Promise<unknown> }).hubgraphTouch(keys.length, ...keys, this.ttlMs);
  }

  async exists(sid: string): Promise<boolean> {
    return (await this.redis.exists(this.keys.session(sid))) === 1;
  }

  async expiresAt(sid: string): Promise<Date> {
    const pttl = await this.redis.pttl(this.keys.session(sid));
    return new Date(Date.now() + Math.max(0, pttl));
  }

  /** Deletes the session and returns the connections it was attached to. */
  async close(sid: string): Promise<string[]> {
    const [tokenHash, conns] = await Promise.all([
      this.redis.hget(this.keys.session(sid), 'token'),
      this.redis.smembers(this.keys.attached(sid)),
    ]);
    const tx = this.redis.multi();
    if (tokenHash) tx.del(this.keys.token(tokenHash));
    tx.del(this.keys.session(sid), this.keys.credentials(sid), this.keys.attached(sid));
    for (const k of conns) tx.srem(this.keys.connectionSessions(k), sid);
    // readers on every API process see this entry and end the session's subscriptions
    tx.xadd(this.keys.events(sid), '*', 'c', 'closed');
    tx.pexpire(this.keys.events(sid), 60_000);
    await tx.exec();
    this.dataKeys.forget(sid);
    this.lastTouch.delete(sid);
    return conns;
  }
}

function parseBearer(header: string | undefined | null): string {
  if (!header) throw new HubError('UNAUTHENTICATED', 'missing session token: send "Authorization: Bearer <token>" from openSession');
  const m = /^\s*(?:Bearer\s+)?([A-Za-z0-9_-]{20,200})\s*$/i.exec(header);
  if (!m?.[1]) throw new HubError('UNAUTHENTICATED', 'malformed session token: expected "Bearer <token>"');
  return m[1];
}
