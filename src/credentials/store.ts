// Credentials per session + platform + actor: validated against the platform's JSON Schema,
// sealed with the session's data key, never returned through the API.
import type { Redis } from 'ioredis';
import { canonicalJson, openJson, sealJson, type Keyring } from '../crypto/keys.js';
import type { Keys } from '../redis/keys.js';
import { HubError } from '../errors.js';
import type { PlatformRegistry } from '../platform/registry.js';

/** What is sealed: the connection key lives inside, so nobody with write access to Redis alone
 *  can point a session at another session's connection. */
interface SealedCredentials {
  credentials: unknown;
  /** connection key: who presents these credentials shares this connection */
  k: string;
}

export interface Credentials {
  credentials: unknown;
  connKey: string;
}

const field = (platform: string, actor: string) => `${platform}\n${actor}`;
const aad = (sid: string, platform: string, actor: string) => `creds\n${sid}\n${platform}\n${actor}`;

export class CredentialsStore {
  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    private readonly keyring: Keyring,
    private readonly platforms: PlatformRegistry,
    private readonly ttlMs: number,
  ) {}

  async set(sid: string, dek: Buffer, platform: string, actor: string, credentials: unknown): Promise<void> {
    const p = this.platforms.get(platform);
    if (!p.checkCredentials) throw new HubError('BAD_USER_INPUT', `platform "${platform}" takes no credentials`, { field: 'platform' });
    if (!actor.trim()) throw new HubError('BAD_USER_INPUT', 'actor must not be empty', { field: 'actor' });
    if (actor.length > 1024) throw new HubError('BAD_USER_INPUT', 'actor is longer than 1024 characters', { field: 'actor' });
    p.checkCredentials(credentials, 'credentials');
    const k = this.keyring.connectionKey(platform, actor, canonicalJson(credentials));
    const previous = await this.get(sid, dek, platform, actor);
    if (previous && previous.connKey !== k && (await this.redis.sismember(this.keys.attached(sid), previous.connKey)) === 1) {
      throw new HubError('BAD_USER_INPUT', `${actor} is connected with the credentials set before: disconnect it first, then set new ones`, { field: 'credentials' });
    }
    const sealed: SealedCredentials = { credentials, k };
    await this.redis
      .multi()
      .hset(this.keys.credentials(sid), field(platform, actor), sealJson(dek, sealed, aad(sid, platform, actor)))
      .pexpire(this.keys.credentials(sid), this.ttlMs)
      .exec();
  }

  async get(sid: string, dek: Buffer, platform: string, actor: string): Promise<Credentials | undefined> {
    const raw = await this.redis.hget(this.keys.credentials(sid), field(platform, actor));
    if (!raw) return undefined;
    const sealed = openJson<SealedCredentials>(dek, raw, aad(sid, platform, actor));
    return { credentials: sealed.credentials, connKey: sealed.k };
  }

  async actors(sid: string): Promise<string[]> {
    const fields = await this.redis.hkeys(this.keys.credentials(sid));
    return [...new Set(fields.map((f) => f.slice(f.indexOf('\n') + 1)))];
  }
}
