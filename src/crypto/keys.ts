// Envelope encryption. HUBGRAPH_SECRET -> HKDF -> a key-encryption key (KEK) that wraps one random
// data key (DEK) per session. Redis holds only wrapped DEKs and AES-256-GCM ciphertext, so a copy
// of Redis alone decrypts nothing, while any process holding the secret can.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes } from 'node:crypto';
import { HubError } from '../errors.js';

const IV_BYTES = 12;
const TAG_BYTES = 16;

export class Keyring {
  private readonly kek: Buffer;
  private readonly connKeyMac: Buffer;
  private readonly stateKey: Buffer;

  constructor(secret: string) {
    const ikm = Buffer.from(secret, 'utf8');
    this.kek = Buffer.from(hkdfSync('sha256', ikm, 'hubgraph', 'hubgraph key-encryption key v1', 32));
    this.connKeyMac = Buffer.from(hkdfSync('sha256', ikm, 'hubgraph', 'hubgraph connection key v1', 32));
    this.stateKey = Buffer.from(hkdfSync('sha256', ikm, 'hubgraph', 'hubgraph connection state v1', 32));
  }

  newDataKey(): Buffer {
    return randomBytes(32);
  }

  wrap(dek: Buffer, sessionId: string): string {
    return seal(this.kek, dek, `dek:${sessionId}`);
  }

  unwrap(wrapped: string, sessionId: string): Buffer {
    return open(this.kek, wrapped, `dek:${sessionId}`);
  }

  /** A connection's saved state belongs to no one session, so it is sealed with a server key. */
  sealState(connKey: string, state: unknown): string {
    return sealJson(this.stateKey, state, `state:${connKey}`);
  }

  openState(connKey: string, sealed: string): unknown {
    return openJson(this.stateKey, sealed, `state:${connKey}`);
  }

  /** Names a platform connection by what opens it; a keyed hash so stored keys do not leak guessable passwords. */
  connectionKey(platform: string, actor: string, canonicalCredentials: string): string {
    return createHmac('sha256', this.connKeyMac).update(`${platform}\0${actor}\0${canonicalCredentials}`).digest('base64url');
  }
}

// Random IVs are drawn from a pool: one call to the system's generator per 1,024 IVs instead of
// one per message (it was the largest single cost of publishing an event).
const IV_POOL_SIZE = IV_BYTES * 1024;
let ivPool = randomBytes(IV_POOL_SIZE);
let ivOffset = 0;
function nextIv(): Buffer {
  if (ivOffset + IV_BYTES > IV_POOL_SIZE) {
    ivPool = randomBytes(IV_POOL_SIZE);
    ivOffset = 0;
  }
  const iv = ivPool.subarray(ivOffset, ivOffset + IV_BYTES);
  ivOffset += IV_BYTES;
  return iv;
}

/** AES-256-GCM: the parts of iv | tag | ciphertext. `aad` binds a ciphertext to where it belongs. */
function encrypt(key: Buffer, plaintext: Buffer | string, aad: string): Buffer[] {
  const iv = nextIv();
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(aad));
  const head = cipher.update(plaintext);
  const tail = cipher.final();
  return [iv, cipher.getAuthTag(), head, tail];
}

/** Sealed as iv | tag | ciphertext in a buffer of its own (never a slice of Node's shared pool), so
 *  that it can be handed to another thread without carrying anything else along. */
export function sealBytes(key: Buffer, plaintext: Buffer | string, aad: string): Buffer {
  const parts = encrypt(key, plaintext, aad);
  const out = Buffer.allocUnsafeSlow(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) at += p.copy(out, at);
  return out;
}

export function openBytes(key: Buffer, raw: Uint8Array, aad: string): Buffer {
  if (raw.length < IV_BYTES + TAG_BYTES) throw new HubError('INTERNAL_SERVER_ERROR', 'stored ciphertext is truncated');
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(aad));
  decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  try {
    return Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
  } catch {
    throw new HubError('INTERNAL_SERVER_ERROR', 'stored data could not be decrypted (was HUBGRAPH_SECRET changed?)');
  }
}

/** Sealed as base64 text, for values kept in Redis strings and hashes (events, credentials, jobs):
 *  the bytes only live until they are encoded, so they may come from the shared pool. */
export function seal(key: Buffer, plaintext: Buffer | string, aad: string): string {
  return Buffer.concat(encrypt(key, plaintext, aad)).toString('base64');
}

export function open(key: Buffer, sealed: string, aad: string): Buffer {
  return openBytes(key, Buffer.from(sealed, 'base64'), aad);
}

export function sealJson(key: Buffer, value: unknown, aad: string): string {
  return seal(key, JSON.stringify(value), aad);
}

export function openJson<T>(key: Buffer, sealed: string, aad: string): T {
  return JSON.parse(open(key, sealed, aad).toString('utf8')) as T;
}

/** Binary sealed JSON, for large values that travel as bytes (job results on the reply stream). */
export function sealJsonBytes(key: Buffer, value: unknown, aad: string): Buffer {
  return sealBytes(key, JSON.stringify(value), aad);
}

export function openJsonBytes<T>(key: Buffer, raw: Uint8Array, aad: string): T {
  return JSON.parse(openBytes(key, raw, aad).toString('utf8')) as T;
}

/** JSON with sorted object keys, so equal credentials give equal connection keys. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
