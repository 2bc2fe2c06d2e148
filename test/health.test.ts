// /healthz's verdict (src/http/health.ts) without processes: Redis, the queue workers and the
// Piscina pools each turn it to 503. The endpoints themselves are tested in process.test.ts.
import { describe, expect, it } from 'vitest';
import { health, workerHealth, type HealthSources } from '../src/http/health.js';
import type { WorkerRole } from '../src/worker/start.js';

function fakeWorker(o: { running?: boolean; jobs?: number[]; sessions?: number[] } = {}): WorkerRole {
  const pool = (ids: number[]) => ({ threads: ids.map((threadId) => ({ threadId })) });
  return {
    healthy: () => o.running ?? true,
    jobs: { pool: pool(o.jobs ?? [1, 2]) },
    connections: { supervisor: { pool: pool(o.sessions ?? [3, 4]) } },
  } as unknown as WorkerRole;
}

function sources(redis: 'PONG' | 'fail' | 'hang', worker?: WorkerRole): HealthSources {
  const ping = () => (redis === 'PONG' ? Promise.resolve('PONG') : redis === 'fail' ? Promise.reject(new Error('down')) : new Promise<string>(() => {}));
  return { services: { redis: { ping }, config: { role: worker ? 'worker' : 'api' } } as unknown as HealthSources['services'], worker };
}

describe('health', () => {
  it('a worker is up when its queue workers run and each pool has a live thread', () => {
    expect(workerHealth(fakeWorker())).toEqual({ ok: true, threads: { jobs: 2, sessions: 2 } });
    expect(workerHealth(fakeWorker({ jobs: [-1, 7] }))).toEqual({ ok: true, threads: { jobs: 1, sessions: 2 } });
    expect(workerHealth(fakeWorker({ running: false })).ok).toBe(false);
    expect(workerHealth(fakeWorker({ jobs: [-1, -1] }))).toEqual({ ok: false, threads: { jobs: 0, sessions: 2 } });
    expect(workerHealth(fakeWorker({ sessions: [] })).ok).toBe(false);
  });

  it('reports ok only when Redis answers and the worker (if any) is up', async () => {
    expect(await health(sources('PONG', fakeWorker()))).toEqual({
      ok: true,
      body: { status: 'ok', role: 'worker', redis: 'ok', workers: 'ok', threads: { jobs: 2, sessions: 2 } },
    });
    expect(await health(sources('PONG'))).toEqual({ ok: true, body: { status: 'ok', role: 'api', redis: 'ok' } });
    expect(await health(sources('PONG', fakeWorker({ sessions: [-1] })))).toMatchObject({ ok: false, body: { status: 'unavailable', workers: 'down' } });
    expect(await health(sources('fail'))).toMatchObject({ ok: false, body: { status: 'unavailable', redis: 'down' } });
    const started = Date.now();
    expect(await health(sources('hang', fakeWorker()))).toMatchObject({ ok: false, body: { redis: 'down', workers: 'ok' } });
    expect(Date.now() - started).toBeLessThan(3000);
  });
});
