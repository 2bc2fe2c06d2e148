// GET /healthz and GET /metrics, for both listeners: the api server (roles `all` and `api`) and
// the worker's own small listener (role `worker`, which serves nothing else).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Piscina } from 'piscina';
import type { Services } from '../services.js';
import type { WorkerRole } from '../worker/start.js';
import { registry } from '../metrics.js';

const REDIS_PING_TIMEOUT_MS = 1000;

export interface HealthSources {
  services: Services;
  /** this process's worker role, when it runs one: its queue workers and pools count towards health */
  worker?: WorkerRole | undefined;
  /** refreshes gauges read at scrape time (the api's queue depths) */
  beforeScrape?: (() => Promise<void>) | undefined;
}

export interface HealthReport {
  ok: boolean;
  body: { status: 'ok' | 'unavailable'; role: string; redis: 'ok' | 'down'; workers?: 'ok' | 'down'; threads?: { jobs: number; sessions: number } };
}

/** Threads of a Piscina pool that are still running (a thread that has exited has threadId -1). */
function liveThreads(pool: Piscina): number {
  return pool.threads.filter((t) => t.threadId >= 0).length;
}

/** The worker is up when its BullMQ workers run and each Piscina pool has a live thread to run on. */
export function workerHealth(worker: WorkerRole): { ok: boolean; threads: { jobs: number; sessions: number } } {
  const threads = { jobs: liveThreads(worker.jobs.pool), sessions: liveThreads(worker.connections.supervisor.pool) };
  return { ok: worker.healthy() && threads.jobs > 0 && threads.sessions > 0, threads };
}

export async function health(src: HealthSources): Promise<HealthReport> {
  const s = src.services;
  let timer: NodeJS.Timeout | undefined;
  const redisOk = await Promise.race([
    s.redis.ping().then((r) => r === 'PONG', () => false),
    new Promise<boolean>((r) => { timer = setTimeout(() => r(false), REDIS_PING_TIMEOUT_MS); }),
  ]);
  clearTimeout(timer);
  const w = src.worker ? workerHealth(src.worker) : undefined;
  const ok = redisOk && w?.ok !== false;
  return {
    ok,
    body: {
      status: ok ? 'ok' : 'unavailable',
      role: s.config.role,
      redis: redisOk ? 'ok' : 'down',
      ...(w ? { workers: w.ok ? 'ok' : 'down', threads: w.threads } : {}),
    },
  };
}

/**
 * Answers GET /healthz and GET /metrics; returns false (and leaves the response alone) for any
 * other request, so the caller can hand it on.
 */
export function handleHealthRequest(src: HealthSources, req: IncomingMessage, res: ServerResponse): boolean {
  const path = (req.url ?? '/').split('?')[0];
  if (req.method !== 'GET') return false;
  if (path === '/healthz') {
    void health(src).then(
      ({ ok, body }) => res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body)),
      (err: Error) => res.writeHead(503, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'unavailable', error: err.message })),
    );
    return true;
  }
  if (path === '/metrics') {
    void (async () => {
      await src.beforeScrape?.();
      return registry.metrics();
    })().then(
      (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
      (err: Error) => res.writeHead(500, { 'content-type': 'text/plain' }).end(err.message),
    );
    return true;
  }
  return false;
}

export interface HealthServer {
  server: Server;
  /** http://HOST:PORT/healthz */
  url: string;
  stop(): Promise<void>;
}

/** The worker role's listener: /healthz and /metrics on --host/--port, 404 for anything else. */
export async function startHealthServer(src: HealthSources): Promise<HealthServer> {
  const { host, port } = src.services.config;
  const server = createServer((req, res) => {
    if (handleHealthRequest(src, req, res)) return;
    res.writeHead(404, { 'content-type': 'text/plain' }).end('a worker process serves only GET /healthz and GET /metrics\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'EADDRINUSE' ? 'the address is in use (give the worker its own --port, or 0 for a free one)' : err.message;
      reject(new Error(`the worker's health listener cannot listen on ${host}:${port}: ${why}`));
    });
    server.listen(port, host, () => resolve());
  });
  const bound = (server.address() as AddressInfo).port;
  const shownHost = host.includes(':') ? `[${host}]` : host;
  return {
    server,
    url: `http://${shownHost}:${bound}/healthz`,
    async stop() {
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await closed;
    },
  };
}
