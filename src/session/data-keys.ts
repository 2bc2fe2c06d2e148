// Per-session data keys, unwrapped on demand with the server secret and cached in memory.
import type { Redis } from 'ioredis';
import type { Keyring } from '../crypto/keys.js';
import type { Keys } from '../redis/keys.js';

const MAX_CACHED = 50_000;

export class DataKeys {
  private readonly cache = new Map<string, Buffer>();

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly keyring: Keyring,
  ) {}

  remember(sid: string, dek: Buffer): void {
    if (this.cache.size >= MAX_CACHED) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(sid, dek);
  }

  forget(sid: string): void {
    this.cache.delete(sid);
  }

  /** The session's data key, or undefined when the session no longer exists. */
  async get(sid: string): Promise<Buffer | undefined> {
    const cached = this.cache.get(sid);
    if (cached) return cached;
    const wrapped = await this.redis.hget(this.keys.session(sid), 'dek');
    if (!wrapped) return undefined;
    const dek = this.keyring.unwrap(wrapped, sid);
    this.remember(sid, dek);
    return dek;
  }

  /** Synchronous lookup for hot paths that already loaded the key. */
  peek(sid: string): Buffer | undefined {
    return this.cache.get(sid);
  }
}
