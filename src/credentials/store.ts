// Credentials per session + platform + actor: validated against the platform's JSON Schema,
// sealed with the session's data key, never returned through the API.
import type { Redis } from 'ioredis';
import { canonicalJson, openJson, sealJson, type Keyring } from '../crypto/keys.js';
import type { Keys } from '../redis/keys.js';
import { HubError } from '../errors.js';
import type { PlatformRegistry } from '../platform/registry.js';

interface StoredCredentials {
  /** sealed credentials */
  c: string;
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
    const stored: StoredCredentials = {
      c: sealJson(dek, credentials, aad(sid, platform, actor)),
      k: this.keyring.connectionKey(platform, actor, canonicalJson(credentials)),
    };
    await this.redis.multi().hset(this.keys.credentials(sid), field(platform, actor), JSON.stringify(stored)).pexpire(this.keys.credentials(sid), this.ttlMs).exec();
  }

  async get(sid: string, dek: Buffer, platform: string, actor: string): Promise<Credentials | undefined> {
    const raw = await this.redis.hget(this.keys.credentials(sid), field(platform, actor));
    if (!raw) return undefined;
    const stored = JSON.parse(raw) as StoredCredentials;
    return { credentials: openJson(dek, stored.c, aad(sid, platform, actor)), connKey: stored.k };
  }

  /** The connection key only: no decryption needed to route a command. */
  async connectionKey(sid: string, platform: string, actor: string): Promise<string | undefined> {
    const raw = await this.redis.hget(this.keys.credentials(sid), field(platform, actor));
    return raw ? (JSON.parse(raw) as StoredCredentials).k : undefined;
  }

  async actors(sid: string): Promise<string[]> {
    const fields = await this.redis.hkeys(this.keys.credentials(sid));
    return [...new Set(fields.map((f) => f.slice(f.indexOf('\n') + 1)))];
  }
}
