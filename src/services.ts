// What api and worker processes both need, built once from the configuration.
import type { Redis } from 'ioredis';
import type { Config } from './config.js';
import type { Logger } from './log.js';
import { Keyring } from './crypto/keys.js';
import { Keys } from './redis/keys.js';
import { createRedis } from './redis/connection.js';
import { PlatformRegistry } from './platform/registry.js';
import { SessionStore } from './session/store.js';
import { CredentialsStore } from './credentials/store.js';

export interface Services {
  config: Config;
  log: Logger;
  redis: Redis;
  keys: Keys;
  keyring: Keyring;
  platforms: PlatformRegistry;
  sessions: SessionStore;
  credentials: CredentialsStore;
  /** a new connection for blocking reads (XREAD BLOCK, BullMQ workers) */
  blockingRedis(name: string): Redis;
  close(): Promise<void>;
}

export async function createServices(config: Config, log: Logger, secret: string): Promise<Services> {
  const redis = createRedis(config.redisUrl, { name: 'hubgraph' });
  redis.on('error', (err) => log.warn({ err: err.message }, 'redis connection error'));
  const keys = new Keys(config.prefix);
  const keyring = new Keyring(secret);
  const platforms = await PlatformRegistry.load(config.platforms);
  const ttlMs = config.sessionTtlSeconds * 1000;
  const sessions = new SessionStore(redis, keys, keyring, ttlMs);
  const credentials = new CredentialsStore(redis, keys, keyring, platforms, ttlMs);
  const extra: Redis[] = [];
  return {
    config, log, redis, keys, keyring, platforms, sessions, credentials,
    blockingRedis(name) {
      const r = createRedis(config.redisUrl, { blocking: true, name });
      r.on('error', (err) => log.warn({ err: err.message, connection: name }, 'redis connection error'));
      extra.push(r);
      return r;
    },
    async close() {
      for (const r of extra) r.disconnect();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
