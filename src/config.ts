// Every option has an env var, a CLI flag and a default; `--help` prints this table.
import proxyaddr from 'proxy-addr';
import { parseArgs } from 'node:util';

export type Role = 'all' | 'api' | 'worker';

export interface Config {
  port: number;
  host: string;
  redisUrl: string;
  /** true when REDIS_URL/--redis was not given: an embedded redis-server may be started */
  redisUrlIsDefault: boolean;
  role: Role;
  secret: string | undefined;
  secretFile: string;
  prefix: string;
  platforms: string[] | undefined;
  sessionTtlSeconds: number;
  jobTimeoutMs: number;
  jobThreads: number;
  sessionThreads: number;
  jobConcurrency: number;
  subscriberBufferBytes: number;
  allowPrivateAddresses: boolean;
  allowedAddresses: string[];
  fetchMaxBytes: number;
  fetchTimeoutMs: number;
  fetchMaxRedirects: number;
  fetchSchemes: string[];
  fetchCacheSeconds: number;
  ircFlood: FloodRates;
  logLevel: string;
  heartbeatMs: number;
  leaseMs: number;
  maxDepth: number;
  maxAliases: number;
  maxDirectives: number;
  maxTokens: number;
  maxCost: number;
  introspection: boolean;
  maxBodyBytes: number;
  /** mutations per session, shared by every API process through Redis; null: no limit */
  mutationRate: Rate | null;
  /** openSession calls per client address, shared through Redis like the mutation rate; null: no limit */
  sessionRate: Rate | null;
  /** subscriptions open at once on one WebSocket; 0: no limit */
  maxSubscriptions: number;
  /** WebSockets open at once from one client address, per API process; 0: no limit */
  maxSocketsPerIp: number;
  /** reverse proxies whose X-Forwarded-For names the client, for the per-address limits (proxy-addr syntax) */
  trustProxy: string[];
  /** serve the demo web app (dist/web) */
  demo: boolean;
  /** the path the demo is served at, ending with / */
  demoPath: string;
}

/** At most `points` in `seconds`. */
export interface Rate {
  points: number;
  seconds: number;
}

/** IRC flood control: a burst of lines, then a steady rate (lines per second); per server name. */
export interface Flood {
  burst: number;
  perSecond: number;
}
export interface FloodRates {
  default: Flood;
  /** lower-cased server name (as in the credentials) → its own rate */
  servers: Record<string, Flood>;
}

interface OptionSpec {
  flag: string;
  env: string;
  default: string;
  help: string;
}

// The one table of options: README's configuration table is generated from the same words.
export const OPTIONS: Record<keyof Omit<Config, 'redisUrlIsDefault'>, OptionSpec> = {
  port: { flag: 'port', env: 'PORT', default: '10550', help: 'HTTP/WebSocket port (0 picks a free one; the ready line shows it)' },
  host: { flag: 'host', env: 'HOST', default: '127.0.0.1', help: 'address to listen on' },
  redisUrl: { flag: 'redis', env: 'REDIS_URL', default: 'redis://127.0.0.1:6379', help: 'Redis URL shared by every api and worker process' },
  role: { flag: 'role', env: 'HUBGRAPH_ROLE', default: 'all', help: 'all | api | worker' },
  secret: { flag: 'secret', env: 'HUBGRAPH_SECRET', default: '', help: 'server secret shared by api and worker processes; generated into --secret-file when unset' },
  secretFile: { flag: 'secret-file', env: 'HUBGRAPH_SECRET_FILE', default: '.hubgraph/secret', help: 'where a generated secret is kept' },
  prefix: { flag: 'prefix', env: 'HUBGRAPH_PREFIX', default: 'hubgraph', help: 'prefix of every Redis key (several installations can share one Redis)' },
  platforms: { flag: 'platforms', env: 'HUBGRAPH_PLATFORMS', default: '', help: 'comma-separated platforms to load (default: every platform except the test platform "dummy")' },
  sessionTtlSeconds: { flag: 'session-ttl', env: 'HUBGRAPH_SESSION_TTL', default: '1800', help: 'idle seconds before a session, its credentials and its event stream expire' },
  jobTimeoutMs: { flag: 'job-timeout', env: 'HUBGRAPH_JOB_TIMEOUT', default: '30000', help: 'milliseconds a verb may take before it fails with TIMEOUT' },
  jobThreads: { flag: 'job-threads', env: 'HUBGRAPH_JOB_THREADS', default: '2', help: 'threads in the stateless jobs pool' },
  sessionThreads: { flag: 'session-threads', env: 'HUBGRAPH_SESSION_THREADS', default: '2', help: 'threads in the persistent sessions pool' },
  jobConcurrency: { flag: 'job-concurrency', env: 'HUBGRAPH_JOB_CONCURRENCY', default: '64', help: 'jobs a worker process takes from each queue at once' },
  subscriberBufferBytes: { flag: 'subscriber-buffer', env: 'HUBGRAPH_SUBSCRIBER_BUFFER', default: '4194304', help: 'bytes queued to one WebSocket before it is closed with 1013 "slow consumer"' },
  allowPrivateAddresses: { flag: 'allow-private-addresses', env: 'HUBGRAPH_ALLOW_PRIVATE_ADDRESSES', default: '0', help: '1 lets platforms connect to loopback and private addresses (tests, local development)' },
  allowedAddresses: { flag: 'allowed-addresses', env: 'HUBGRAPH_ALLOWED_ADDRESSES', default: '', help: 'comma-separated CIDRs reachable even though private (e.g. an intranet feed server); everything else private stays refused' },
  fetchMaxBytes: { flag: 'fetch-max-bytes', env: 'HUBGRAPH_FETCH_MAX_BYTES', default: '5242880', help: 'largest response body a platform may read (enforced while streaming)' },
  fetchTimeoutMs: { flag: 'fetch-timeout', env: 'HUBGRAPH_FETCH_TIMEOUT', default: '10000', help: 'milliseconds an outbound HTTP fetch may take in all, redirects included' },
  fetchMaxRedirects: { flag: 'fetch-max-redirects', env: 'HUBGRAPH_FETCH_MAX_REDIRECTS', default: '5', help: 'redirects an outbound HTTP fetch may follow' },
  fetchSchemes: { flag: 'fetch-schemes', env: 'HUBGRAPH_FETCH_SCHEMES', default: 'http,https', help: 'URL schemes an outbound HTTP fetch may use' },
  fetchCacheSeconds: { flag: 'fetch-cache', env: 'HUBGRAPH_FETCH_CACHE', default: '30', help: 'seconds a fetched feed or page is shared between all sessions before it is revalidated (0 turns the cache off)' },
  ircFlood: { flag: 'irc-flood', env: 'HUBGRAPH_IRC_FLOOD', default: '5:2', help: 'IRC flood control, burst:lines-per-second, then optional server=burst:rate overrides (e.g. 5:2,irc.example.net=4:1): lines an IRC connection may write at once, then per second' },
  logLevel: { flag: 'log-level', env: 'LOG_LEVEL', default: 'info', help: 'fatal | error | warn | info | debug | trace | silent' },
  leaseMs: { flag: 'connection-lease', env: 'HUBGRAPH_CONNECTION_LEASE', default: '5000', help: 'milliseconds a worker holds a connection (and counts as alive) without renewing; renewed, and dead workers swept, every third of it' },
  heartbeatMs: { flag: 'heartbeat', env: 'HUBGRAPH_HEARTBEAT', default: '2000', help: 'milliseconds between liveness checks of session threads; a thread silent for 3 of them is replaced' },
  maxDepth: { flag: 'max-depth', env: 'HUBGRAPH_MAX_DEPTH', default: '20', help: 'deepest field nesting an operation may have, introspection included (the standard introspection query needs 15)' },
  maxAliases: { flag: 'max-aliases', env: 'HUBGRAPH_MAX_ALIASES', default: '15', help: 'aliases an operation may use (aliases of __typename are free)' },
  maxDirectives: { flag: 'max-directives', env: 'HUBGRAPH_MAX_DIRECTIVES', default: '50', help: 'directives an operation may use' },
  maxTokens: { flag: 'max-tokens', env: 'HUBGRAPH_MAX_TOKENS', default: '2000', help: 'lexical tokens a GraphQL document may have (checked while parsing; variables do not count)' },
  introspection: { flag: 'introspection', env: 'HUBGRAPH_INTROSPECTION', default: '1', help: '0 turns GraphQL introspection (and so GraphiQL\'s schema view) off; it obeys the query limits either way' },
  maxBodyBytes: { flag: 'max-body', env: 'HUBGRAPH_MAX_BODY', default: '1048576', help: 'bytes of an HTTP request body (larger: 413); WebSocket messages have the same cap (close 1009)' },
  mutationRate: { flag: 'rate-limit', env: 'HUBGRAPH_RATE_LIMIT', default: '300/10', help: 'mutations per session, as N/seconds, counted in Redis for every API process together (RATE_LIMITED beyond); 0 turns it off' },
  sessionRate: { flag: 'session-rate', env: 'HUBGRAPH_SESSION_RATE', default: '600/60', help: 'openSession calls per client address, as N/seconds, counted in Redis (RATE_LIMITED beyond); 0 turns it off' },
  maxSubscriptions: { flag: 'max-subscriptions', env: 'HUBGRAPH_MAX_SUBSCRIPTIONS', default: '100', help: 'subscriptions at once on one WebSocket (RATE_LIMITED beyond); 0: no limit' },
  maxSocketsPerIp: { flag: 'max-sockets-per-ip', env: 'HUBGRAPH_MAX_SOCKETS_PER_IP', default: '500', help: 'WebSockets at once from one client address, per API process (HTTP 429 beyond); 0: no limit' },
  trustProxy: { flag: 'trust-proxy', env: 'HUBGRAPH_TRUST_PROXY', default: '', help: 'reverse proxies whose X-Forwarded-For header is believed for the per-address limits: comma-separated addresses or CIDRs, or loopback, linklocal, uniquelocal; empty: none (the TCP peer is the client). Name only your own proxies: a trusted address can claim to be anyone' },
  demo: { flag: 'demo', env: 'HUBGRAPH_DEMO', default: '1', help: '0 turns off the demo web app (IRC, XMPP, feeds, link previews and the live activity log in a browser)' },
  demoPath: { flag: 'demo-path', env: 'HUBGRAPH_DEMO_PATH', default: '/', help: 'path the demo web app is served at (e.g. /demo/); it cannot be under /graphql, /healthz or /metrics' },
  maxCost: { flag: 'max-cost', env: 'HUBGRAPH_MAX_COST', default: '50000', help: 'cost an operation may have: 1 per scalar field, 2 per object field, each level multiplying its fields by 1.5 (the standard introspection query costs about 15600)' },
};

export class ConfigError extends Error {}

export function helpText(): string {
  const lines = [
    'hubgraph: a protocol gateway with a GraphQL API',
    '',
    'Usage: npm start -- [options]     (or: node dist/src/main.js [options])',
    '',
    'Options (each also read from the environment variable shown):',
  ];
  for (const spec of Object.values(OPTIONS)) {
    const def = spec.default === '' ? '' : ` (default ${spec.default})`;
    lines.push(`  --${spec.flag.padEnd(24)} ${spec.env.padEnd(32)} ${spec.help}${def}`);
  }
  lines.push(`  --${'help'.padEnd(24)} ${''.padEnd(32)} print this and exit`);
  return lines.join('\n') + '\n';
}

function trustedProxies(raw: string): string[] {
  const proxies = list(raw);
  try {
    proxyaddr.compile(proxies);
  } catch (err) {
    throw new ConfigError(`trust proxy: ${(err as Error).message} (give addresses, CIDRs such as 10.0.0.0/8, or loopback, linklocal, uniquelocal)`);
  }
  return proxies;
}

function list(raw: string): string[] {
  return raw.split(',').map((x) => x.trim()).filter(Boolean);
}

function floodRates(raw: string): FloodRates {
  const rate = (text: string): Flood => {
    const m = /^(\d+):(\d+(?:\.\d+)?)$/.exec(text);
    const burst = Number(m?.[1]);
    const perSecond = Number(m?.[2]);
    if (!m || burst < 1 || burst > 1000 || !(perSecond > 0) || perSecond > 1000) {
      throw new ConfigError(`IRC flood rates are burst:lines-per-second (burst 1-1000, rate above 0 and at most 1000), optionally server=burst:rate, got "${text}"`);
    }
    return { burst, perSecond };
  };
  const rates: FloodRates = { default: { burst: 5, perSecond: 2 }, servers: {} };
  for (const item of list(raw)) {
    const eq = item.indexOf('=');
    if (eq < 0) rates.default = rate(item);
    else if (eq > 0) rates.servers[item.slice(0, eq).toLowerCase()] = rate(item.slice(eq + 1));
    else throw new ConfigError(`IRC flood rates: "${item}" names no server before "="`);
  }
  return rates;
}

function rate(name: string, raw: string): Rate | null {
  if (raw === '0') return null;
  const m = /^(\d+)\/(\d+)$/.exec(raw);
  const points = Number(m?.[1]);
  const seconds = Number(m?.[2]);
  if (!m || points < 1 || seconds < 1) throw new ConfigError(`${name} must be N/seconds (both at least 1) or 0 for no limit, got "${raw}"`);
  return { points, seconds };
}

function demoPath(raw: string): string {
  const path = raw.endsWith('/') ? raw : `${raw}/`;
  if (!/^\/[A-Za-z0-9._~\/-]*$/.test(path) || /\/\.\.?\//.test(path) || path.includes('//')) {
    throw new ConfigError(`demo path must be an absolute URL path like /demo/, got "${raw}"`);
  }
  if (/^\/(graphql|healthz|metrics)\//.test(path)) throw new ConfigError(`demo path cannot be under /graphql, /healthz or /metrics, got "${raw}"`);
  return path;
}

function int(name: string, raw: string, min: number): number {
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
  const n = Number(raw);
  if (n < min) throw new ConfigError(`${name} must be at least ${min}, got ${n}`);
  return n;
}

export function parseConfig(argv: string[], env: NodeJS.ProcessEnv): { help: true } | { help: false; config: Config } {
  const options: Record<string, { type: 'string' | 'boolean' }> = { help: { type: 'boolean' } };
  for (const spec of Object.values(OPTIONS)) options[spec.flag] = { type: 'string' };
  let values: Record<string, string | boolean | undefined>;
  try {
    values = parseArgs({ args: argv, options, allowPositionals: false, strict: true }).values;
  } catch (err) {
    throw new ConfigError((err as Error).message);
  }
  if (values.help) return { help: true };

  const raw = {} as Record<keyof typeof OPTIONS, string>;
  const given = new Set<string>();
  for (const [key, spec] of Object.entries(OPTIONS) as [keyof typeof OPTIONS, OptionSpec][]) {
    const flag = values[spec.flag];
    const fromEnv = env[spec.env];
    if (typeof flag === 'string') given.add(key);
    else if (fromEnv !== undefined && fromEnv !== '') given.add(key);
    raw[key] = typeof flag === 'string' ? flag : fromEnv !== undefined && fromEnv !== '' ? fromEnv : spec.default;
  }

  if (!['all', 'api', 'worker'].includes(raw.role)) throw new ConfigError(`role must be all, api or worker, got "${raw.role}"`);
  if (!/^rediss?:\/\//.test(raw.redisUrl)) throw new ConfigError(`REDIS_URL must start with redis:// or rediss://, got "${raw.redisUrl}"`);
  if (!/^[A-Za-z0-9_.-]+$/.test(raw.prefix)) throw new ConfigError(`prefix may hold letters, digits, "_", "." and "-" only`);
  const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
  if (!levels.includes(raw.logLevel)) throw new ConfigError(`log level must be one of ${levels.join(', ')}`);
  const port = int('port', raw.port, 0);
  if (port > 65535) throw new ConfigError('port must be at most 65535');

  const config: Config = {
    port,
    host: raw.host,
    redisUrl: raw.redisUrl,
    redisUrlIsDefault: !given.has('redisUrl'),
    role: raw.role as Role,
    secret: raw.secret === '' ? undefined : raw.secret,
    secretFile: raw.secretFile,
    prefix: raw.prefix,
    platforms: raw.platforms === '' ? undefined : list(raw.platforms),
    sessionTtlSeconds: int('session TTL', raw.sessionTtlSeconds, 1),
    jobTimeoutMs: int('job timeout', raw.jobTimeoutMs, 1),
    jobThreads: int('job threads', raw.jobThreads, 1),
    sessionThreads: int('session threads', raw.sessionThreads, 1),
    jobConcurrency: int('job concurrency', raw.jobConcurrency, 1),
    subscriberBufferBytes: int('subscriber buffer', raw.subscriberBufferBytes, 1024),
    allowPrivateAddresses: raw.allowPrivateAddresses === '1' || raw.allowPrivateAddresses === 'true',
    allowedAddresses: list(raw.allowedAddresses),
    fetchMaxBytes: int('fetch max bytes', raw.fetchMaxBytes, 1024),
    fetchTimeoutMs: int('fetch timeout', raw.fetchTimeoutMs, 1),
    fetchMaxRedirects: int('fetch max redirects', raw.fetchMaxRedirects, 0),
    fetchSchemes: list(raw.fetchSchemes).map((x) => x.toLowerCase().replace(/:$/, '')),
    fetchCacheSeconds: int('fetch cache', raw.fetchCacheSeconds, 0),
    ircFlood: floodRates(raw.ircFlood),
    logLevel: raw.logLevel,
    heartbeatMs: int('heartbeat', raw.heartbeatMs, 50),
    maxDepth: int('max depth', raw.maxDepth, 1),
    maxAliases: int('max aliases', raw.maxAliases, 0),
    maxDirectives: int('max directives', raw.maxDirectives, 0),
    maxTokens: int('max tokens', raw.maxTokens, 1),
    maxCost: int('max cost', raw.maxCost, 1),
    leaseMs: int('connection lease', raw.leaseMs, 300),
    introspection: !['0', 'false', 'off'].includes(raw.introspection.toLowerCase()),
    maxBodyBytes: int('max body', raw.maxBodyBytes, 1024),
    mutationRate: rate('rate limit', raw.mutationRate),
    sessionRate: rate('session rate', raw.sessionRate),
    maxSubscriptions: int('max subscriptions', raw.maxSubscriptions, 0),
    maxSocketsPerIp: int('max sockets per IP', raw.maxSocketsPerIp, 0),
    trustProxy: trustedProxies(raw.trustProxy),
    demo: !['0', 'false', 'off'].includes(raw.demo.toLowerCase()),
    demoPath: demoPath(raw.demoPath),
  };
  for (const cidr of config.allowedAddresses) {
    if (!/^[0-9a-fA-F:.]+\/\d{1,3}$/.test(cidr)) throw new ConfigError(`allowed addresses must be CIDRs like 10.1.0.0/16, got "${cidr}"`);
  }
  if (config.secret !== undefined && config.secret.length < 16) throw new ConfigError('HUBGRAPH_SECRET must be at least 16 characters');
  return { help: false, config };
}
