// Starts real hubgraph processes (compiled, as `npm start` runs them) against the test Redis.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';

export const REDIS_URL = process.env.HUBGRAPH_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const MAIN = fileURLToPath(new URL('../../dist/src/main.js', import.meta.url));

export interface Hubgraph {
  url: string;
  wsUrl: string;
  prefix: string;
  secret: string;
  proc: ChildProcess;
  stdout: string[];
  stderr: string[];
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

export interface StartOptions {
  role?: 'all' | 'api' | 'worker';
  prefix?: string;
  secret?: string;
  env?: Record<string, string>;
  args?: string[];
  /** how long to wait for the ready line */
  timeoutMs?: number;
}

const running = new Set<Hubgraph>();

export function uniquePrefix(): string {
  return `hgtest-${randomBytes(5).toString('hex')}`;
}

export async function startHubgraph(opts: StartOptions = {}): Promise<Hubgraph> {
  const role = opts.role ?? 'all';
  const prefix = opts.prefix ?? uniquePrefix();
  const secret = opts.secret ?? 'test-secret-0123456789abcdef';
  const proc = spawn(process.execPath, [MAIN, ...(opts.args ?? [])], {
    env: {
      ...process.env,
      REDIS_URL,
      PORT: '0',
      HOST: '127.0.0.1',
      HUBGRAPH_ROLE: role,
      HUBGRAPH_PREFIX: prefix,
      HUBGRAPH_SECRET: secret,
      HUBGRAPH_PLATFORMS: 'dummy',
      HUBGRAPH_ALLOW_PRIVATE_ADDRESSES: '1',
      LOG_LEVEL: 'warn',
      ...opts.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => stderr.push(d));
  const ready = new Promise<string>((resolve, reject) => {
    let buf = '';
    proc.stdout!.setEncoding('utf8').on('data', (d: string) => {
      stdout.push(d);
      buf += d;
      const api = /(http:\/\/\S+\/graphql)/.exec(buf);
      if (role !== 'worker' && api?.[1]) resolve(api[1]);
      if (role === 'worker' && buf.includes('worker ready')) resolve('');
    });
    proc.once('exit', (code) => reject(new Error(`hubgraph exited (${code}) before it was ready:\n${stderr.join('')}`)));
    setTimeout(() => reject(new Error(`hubgraph was not ready within ${opts.timeoutMs ?? 20_000} ms:\n${stderr.join('')}`)), opts.timeoutMs ?? 20_000).unref();
  });
  const hub: Hubgraph = {
    url: '',
    wsUrl: '',
    prefix,
    secret,
    proc,
    stdout,
    stderr,
    async stop(signal = 'SIGTERM') {
      running.delete(hub);
      if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
      const exited = new Promise<number | null>((r) => proc.once('exit', (code) => r(code)));
      proc.kill(signal);
      const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
  running.add(hub);
  try {
    hub.url = await ready;
  } catch (err) {
    await hub.stop('SIGKILL');
    throw err;
  }
  hub.wsUrl = hub.url.replace(/^http/, 'ws');
  return hub;
}

export async function stopAll(): Promise<void> {
  await Promise.all([...running].map((h) => h.stop()));
}

/** Deletes every key under a prefix (what a test left in the shared test Redis). */
export async function dropPrefix(prefix: string): Promise<void> {
  const r = new Redis(REDIS_URL);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await r.del(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}

export function redisClient(): Redis {
  return new Redis(REDIS_URL);
}
