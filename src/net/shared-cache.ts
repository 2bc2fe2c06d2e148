// A small cache in Redis that every worker thread and process shares, for public data that many
// sessions ask for (a feed, a page's metadata): a hundred clients polling one feed cost one
// upstream request. Values are JSON; keys are hashed.
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';

export interface SharedCache {
  get<T>(namespace: string, key: string): Promise<T | undefined>;
  set(namespace: string, key: string, value: unknown, ttlSeconds: number): Promise<void>;
  /** true for exactly one caller per key until it releases or ttlMs passes: that caller refreshes
   *  the entry, the others wait for it (across every thread and process) */
  claim(namespace: string, key: string, ttlMs: number): Promise<boolean>;
  release(namespace: string, key: string): Promise<void>;
}

export class RedisCache implements SharedCache {
  private readonly redis: Redis;

  constructor(url: string, private readonly prefix: string) {
    this.redis = new Redis(url, { maxRetriesPerRequest: 1, lazyConnect: false, connectionName: 'hubgraph-cache' });
    this.redis.on('error', () => {}); // a cache miss is the worst that happens
  }

  private key(namespace: string, key: string): string {
    return `${this.prefix}:cache:${namespace}:${createHash('sha256').update(key).digest('base64url')}`;
  }

  async get<T>(namespace: string, key: string): Promise<T | undefined> {
    try {
      const raw = await this.redis.get(this.key(namespace, key));
      return raw ? (JSON.parse(raw) as T) : undefined;
    } catch {
      return undefined;
    }
  }

  async claim(namespace: string, key: string, ttlMs: number): Promise<boolean> {
    try {
      return (await this.redis.set(`${this.key(namespace, key)}:claim`, '1', 'PX', Math.max(1, ttlMs), 'NX')) === 'OK';
    } catch {
      return true; // without Redis, everyone fetches for themselves
    }
  }

  async release(namespace: string, key: string): Promise<void> {
    await this.redis.del(`${this.key(namespace, key)}:claim`).catch(() => {});
  }

  async set(namespace: string, key: string, value: unknown, ttlSeconds: number): Promise<void> {
    if (ttlSeconds <= 0) return;
    try {
      await this.redis.set(this.key(namespace, key), JSON.stringify(value), 'EX', ttlSeconds);
    } catch {
      /* not cached this time */
    }
  }
}
