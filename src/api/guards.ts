// What keeps one client from taking the API for itself: request rates counted in Redis (so several
// API processes enforce one limit; rate-limiter-flexible does the counting, atomically, in Lua),
// and per-process caps on sockets per address and subscriptions per socket. Every refusal is a
// RATE_LIMITED error saying when to try again (HTTP 429 for a refused WebSocket upgrade).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Redis } from 'ioredis';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import ipaddr from 'ipaddr.js';
import proxyaddr from 'proxy-addr';
import { HubError } from '../errors.js';
import type { Config, Rate } from '../config.js';
import type { Keys } from '../redis/keys.js';
import { rateLimited } from '../metrics.js';

type Limiter = { consume(key: string): Promise<void> };

function redisLimiter(redis: Redis, keys: Keys, name: string, rate: Rate | null, what: (rate: Rate) => string): Limiter {
  if (!rate) return { consume: async () => {} };
  const limiter = new RateLimiterRedis({
    storeClient: redis,
    keyPrefix: `${keys.prefix}:rl:${name}`,
    points: rate.points,
    duration: rate.seconds,
    // while Redis is away the request fails anyway; say so at once rather than queueing
    rejectIfRedisNotReady: true,
  });
  return {
    async consume(key) {
      try {
        await limiter.consume(key);
      } catch (err) {
        if (err instanceof RateLimiterRes) {
          rateLimited.inc({ limit: name });
          const retryAfterMs = Math.max(1, Math.ceil(err.msBeforeNext));
          throw new HubError('RATE_LIMITED', `${what(rate)}; try again in ${Math.ceil(retryAfterMs / 1000)} s`, { retryAfterMs, limit: name });
        }
        // with rejectIfRedisNotReady, a Redis that is away is an error of the limiter's own wording
        if (err instanceof Error && /not ready|closed/i.test(err.message)) throw new HubError('UNAVAILABLE', 'Redis is unreachable; try again shortly');
        throw HubError.from(err);
      }
    },
  };
}

export class Guards {
  private readonly mutations: Limiter;
  private readonly sessions: Limiter;
  private readonly socketsByIp = new Map<string, number>();
  private readonly subscriptions = new WeakMap<object, number>();
  /** subscriptions over SSE (one HTTP response each), per session, in this process */
  private readonly sseBySession = new Map<string, number>();
  private readonly trust: TrustProxy;

  constructor(
    redis: Redis,
    keys: Keys,
    private readonly config: Pick<Config, 'mutationRate' | 'sessionRate' | 'maxSubscriptions' | 'maxSocketsPerIp' | 'maxBodyBytes' | 'trustProxy'>,
  ) {
    this.trust = trustProxy(config.trustProxy);
    this.mutations = redisLimiter(redis, keys, 'mutation', config.mutationRate, (r) => `this session made more than ${r.points} mutations in ${r.seconds} s`);
    this.sessions = redisLimiter(redis, keys, 'session', config.sessionRate, (r) => `more than ${r.points} sessions were opened from this address in ${r.seconds} s`);
  }

  /** The address the per-address limits count a request under (see clientIp). */
  address(req: IncomingMessage | undefined): string {
    return clientIp(req, this.trust);
  }

  /** Counts one mutation of an authenticated session (after the token was checked: a made-up token costs no key). */
  mutation(sessionId: string): Promise<void> {
    return this.mutations.consume(sessionId);
  }

  /** Counts one openSession from the address. */
  openSession(ip: string): Promise<void> {
    return this.sessions.consume(ip);
  }

  /** A WebSocket from `ip` may open (and is counted until `socketClosed`). */
  socketOpened(ip: string): boolean {
    const n = this.socketsByIp.get(ip) ?? 0;
    if (this.config.maxSocketsPerIp > 0 && n >= this.config.maxSocketsPerIp) {
      rateLimited.inc({ limit: 'sockets' });
      return false;
    }
    this.socketsByIp.set(ip, n + 1);
    return true;
  }

  socketClosed(ip: string): void {
    const n = (this.socketsByIp.get(ip) ?? 1) - 1;
    if (n <= 0) this.socketsByIp.delete(ip);
    else this.socketsByIp.set(ip, n);
  }

  /** One more subscription on the socket, or a RATE_LIMITED error (the socket stays open). */
  subscriptionStarted(socket: object): void {
    const n = this.subscriptions.get(socket) ?? 0;
    if (this.config.maxSubscriptions > 0 && n >= this.config.maxSubscriptions) {
      rateLimited.inc({ limit: 'subscriptions' });
      throw new HubError('RATE_LIMITED', `this socket already has ${n} subscriptions, this server's limit; complete one first`, { limit: 'subscriptions', max: this.config.maxSubscriptions });
    }
    this.subscriptions.set(socket, n + 1);
  }

  subscriptionEnded(socket: object): void {
    const n = this.subscriptions.get(socket) ?? 0;
    if (n > 0) this.subscriptions.set(socket, n - 1);
  }

  /** One more subscription over SSE for the session (the same cap as per socket), or RATE_LIMITED. */
  sseStarted(sessionId: string): void {
    const n = this.sseBySession.get(sessionId) ?? 0;
    if (this.config.maxSubscriptions > 0 && n >= this.config.maxSubscriptions) {
      rateLimited.inc({ limit: 'subscriptions' });
      throw new HubError('RATE_LIMITED', `this session already has ${n} subscriptions over HTTP, this server's limit; end one first`, { limit: 'subscriptions', max: this.config.maxSubscriptions });
    }
    this.sseBySession.set(sessionId, n + 1);
  }

  sseEnded(sessionId: string): void {
    const n = (this.sseBySession.get(sessionId) ?? 1) - 1;
    if (n <= 0) this.sseBySession.delete(sessionId);
    else this.sseBySession.set(sessionId, n);
  }

  /**
   * Refuses an HTTP body over the cap: at once from Content-Length, or as soon as a chunked body
   * passes it. True when the request was refused (the response is sent).
   */
  refuseLargeBody(req: IncomingMessage, res: ServerResponse): boolean {
    const max = this.config.maxBodyBytes;
    const refuse = () => {
      if (!res.headersSent) {
        res.writeHead(413, { 'content-type': 'application/json', connection: 'close' });
        res.end(JSON.stringify({ errors: [{ message: `the request body is larger than this server's limit of ${max} bytes`, extensions: { code: 'BAD_USER_INPUT', limit: 'body', max } }] }));
      }
      req.destroy();
    };
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > max) {
      refuse();
      return true;
    }
    if (req.headers['transfer-encoding']) {
      let seen = 0;
      req.on('data', (chunk: Buffer) => {
        seen += chunk.length;
        if (seen > max) refuse();
      });
    }
    return false;
  }
}

export type TrustProxy = (address: string, hop: number) => boolean;
const TRUST_NONE: TrustProxy = () => false;

/** proxy-addr's test for the configured proxies (HUBGRAPH_TRUST_PROXY); none: trust no header. */
export function trustProxy(proxies: string[]): TrustProxy {
  return proxies.length === 0 ? TRUST_NONE : proxyaddr.compile(proxies);
}

/**
 * The client's address, as the key of the per-address limits: the TCP peer, or, when that peer is
 * a trusted proxy, the address X-Forwarded-For gives, walked from the nearest hop while the hops
 * are trusted (proxy-addr). An IPv6 client is keyed by its /64, since one host commonly holds a
 * whole /64 and could otherwise take a fresh address for every request.
 */
export function clientIp(req: IncomingMessage | undefined, trust: TrustProxy = TRUST_NONE): string {
  const raw = !req?.socket.remoteAddress ? undefined : trust === TRUST_NONE ? req.socket.remoteAddress : proxyaddr(req, trust);
  if (!raw || !ipaddr.isValid(raw)) return raw ?? 'unknown';
  const addr = ipaddr.process(raw); // an IPv4-mapped IPv6 address becomes IPv4
  if (addr.kind() === 'ipv4') return addr.toString();
  const parts = (addr as ipaddr.IPv6).parts.slice(0, 4);
  return `${parts.map((p) => p.toString(16)).join(':')}::/64`;
}
