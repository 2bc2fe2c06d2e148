import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { dropPrefix, startHubgraph, stopAll, uniquePrefix } from './support/hubgraph.js';
import { collect, ok, openSession, sleep, verb, wsClient } from './support/client.js';

const MAIN = fileURLToPath(new URL('../dist/src/main.js', import.meta.url));
const prefixes: string[] = [];
afterAll(async () => { await stopAll(); for (const p of prefixes) await dropPrefix(p); });

describe('the hubgraph process', () => {
  it('answers --help without touching Redis and exits 0', () => {
    const r = spawnSync(process.execPath, [MAIN, '--help'], { env: { ...process.env, REDIS_URL: 'redis://127.0.0.1:1' }, encoding: 'utf8', timeout: 10_000 });
    expect(r.status).toBe(0);
    for (const opt of ['--port', '--redis', '--role', 'HUBGRAPH_SECRET', 'HUBGRAPH_SESSION_TTL']) expect(r.stdout).toContain(opt);
  });

  it('refuses bad options with a message and exit code 2', () => {
    const r = spawnSync(process.execPath, [MAIN, '--role', 'chef'], { encoding: 'utf8', timeout: 10_000 });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('role must be all, api or worker');
  });

  it('exits with a clear message when the given REDIS_URL does not answer', () => {
    const r = spawnSync(process.execPath, [MAIN], { env: { ...process.env, REDIS_URL: 'redis://127.0.0.1:1', LOG_LEVEL: 'info' }, encoding: 'utf8', timeout: 15_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('Redis does not answer');
  });

  it('logs to stderr only and prints the ready line on stdout; /healthz and /metrics answer', async () => {
    const hub = await startHubgraph({ env: { LOG_LEVEL: 'info' } });
    prefixes.push(hub.prefix);
    expect(hub.stdout.join('')).toMatch(/^hubgraph worker ready \(\S+\)\nhubgraph ready at http:\/\/127\.0\.0\.1:\d+\/graphql\n$/);
    expect(hub.stderr.join('')).toContain('"msg":"platforms loaded"');
    const health = await fetch(hub.url.replace('/graphql', '/healthz'));
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok', redis: 'ok', workers: 'ok' });
    const token = await openSession(hub.url);
    await ok(hub.url, verb('fetch', 'id'), { input: { platform: 'dummy', actor: { id: 'm', type: 'person' }, object: { type: 'echo' } } }, token);
    const metrics = await (await fetch(hub.url.replace('/graphql', '/metrics'))).text();
    expect(metrics).toContain('hubgraph_jobs_total{platform="dummy",verb="fetch",outcome="ok"} 1');
    expect(metrics).toContain('hubgraph_job_duration_seconds_bucket');
    expect(metrics).toContain('hubgraph_queue_depth{queue="platform-dummy"}');
    expect(metrics).toContain('hubgraph_subscriptions');
    expect(metrics).toContain('hubgraph_sessions_opened_total 1');
    expect(await hub.stop('SIGTERM')).toBe(0);
  });

  it('runs api and worker as two processes on one Redis', async () => {
    const prefix = uniquePrefix();
    prefixes.push(prefix);
    const worker = await startHubgraph({ role: 'worker', prefix });
    expect(worker.stdout.join('')).toContain('worker ready');
    // a worker process serves /healthz and /metrics (and nothing else) on its own port
    const workerLine = /^hubgraph worker ready \(\S+\) health at (http:\/\/127\.0\.0\.1:\d+)\/healthz\n$/.exec(worker.stdout.join(''));
    expect(workerLine, worker.stdout.join('')).not.toBeNull();
    const workerOrigin = workerLine![1]!;
    const workerHealth = await fetch(`${workerOrigin}/healthz`);
    expect(workerHealth.status).toBe(200);
    expect(await workerHealth.json()).toEqual({ status: 'ok', role: 'worker', redis: 'ok', workers: 'ok', threads: { jobs: 2, sessions: 2 } });
    expect((await fetch(`${workerOrigin}/graphql`)).status).toBe(404);
    expect((await fetch(`${workerOrigin}/healthz`, { method: 'POST' })).status).toBe(404);
    const api = await startHubgraph({ role: 'api', prefix });
    expect(api.stdout.join('')).not.toContain('worker ready');
    const token = await openSession(api.url);
    const echo = await ok(api.url, verb('fetch', 'type object { type }'), { input: { platform: 'dummy', actor: { id: 'x', type: 'person' }, object: { type: 'echo' } } }, token);
    expect(echo.fetch.object.type).toBe('echo');
    // a persistent session lives in the worker process; its events reach the api process's subscribers
    await ok(api.url, 'mutation { setCredentials(platform: "dummy", actor: "two@dummy", credentials: {name: "two"}) }', undefined, token);
    const c = wsClient(api.wsUrl, token);
    const s = collect(c, 'subscription { activities { type object { content } } }');
    await sleep(200);
    await ok(api.url, verb('connect', 'id'), { input: { platform: 'dummy', actor: { id: 'two@dummy', type: 'person' } } }, token);
    await ok(api.url, verb('send', 'id'), { input: { platform: 'dummy', actor: { id: 'two@dummy', type: 'person' }, object: { type: 'message', content: 'across' } } }, token);
    await s.waitFor(2);
    expect(s.items.map((i) => i.activities.object?.content)).toContain('across');
    // the worker's metrics: the jobs it ran and the session it hosts
    const workerMetrics = await (await fetch(`${workerOrigin}/metrics`)).text();
    expect(workerMetrics).toMatch(/^hubgraph_worker_job_duration_seconds_count\{platform="dummy",verb="fetch"\} 1$/m);
    expect(workerMetrics).toMatch(/^hubgraph_hosted_sessions\{platform="dummy"\} 1$/m);
    expect(workerMetrics).toContain('hubgraph_process_');
    // a second api process serves the same token
    const api2 = await startHubgraph({ role: 'api', prefix });
    expect((await ok(api2.url, '{ session { actors } }', undefined, token)).session.actors).toEqual(['two@dummy']);
    await c.dispose();
    for (const h of [api, api2, worker]) expect(await h.stop('SIGTERM')).toBe(0);
  });
});
