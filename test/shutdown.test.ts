// Processes that stop: SIGTERM drains what is in flight, tells subscribers and exits 0 in time; a
// worker SIGKILLed in the middle of a job leaves it to be picked up again by a new worker process.
import { afterAll, describe, expect, it } from 'vitest';
import { Queue } from 'bullmq';
import { dropPrefix, redisClient, startHubgraph, stopAll, uniquePrefix } from './support/hubgraph.js';
import { eventually, gql, openSession, verb } from './support/client.js';
import { rawSocket } from './support/raw-ws.js';

const prefixes: string[] = [];
afterAll(async () => {
  await stopAll();
  for (const p of prefixes) await dropPrefix(p);
});

const slow = (ms: number) => ({ input: { platform: 'dummy', actor: { id: 'x', type: 'person' }, object: { type: 'sleep', extra: { ms } } } });

describe('stopping', () => {
  it('SIGTERM: a job in flight still answers, subscribers are told (1001), the process exits 0 within the bound', async () => {
    const hub = await startHubgraph();
    prefixes.push(hub.prefix);
    const token = await openSession(hub.url);
    const s = await rawSocket(hub.wsUrl, token);
    s.subscribe('feed', 'subscription { activities { type } }');
    const inFlight = gql(hub.url, verb('fetch', 'type'), slow(1500), token);
    await new Promise((r) => setTimeout(r, 300));
    const t0 = Date.now();
    const exited = hub.stop('SIGTERM');
    const answer = await inFlight;
    expect(answer.errors, JSON.stringify(answer.errors)).toBeUndefined();
    expect(answer.data?.fetch.type).toBe('fetch');
    expect(await exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(s.closed()?.code).toBe(1001);
  });

  it('a worker SIGKILLed mid-job: a new worker process picks the stalled job up and the caller gets its answer', async () => {
    const prefix = uniquePrefix();
    prefixes.push(prefix);
    const env = { HUBGRAPH_JOB_TIMEOUT: '30000' };
    const api = await startHubgraph({ role: 'api', prefix, env });
    const w1 = await startHubgraph({ role: 'worker', prefix, env });
    const token = await openSession(api.url);
    const t0 = Date.now();
    const call = gql(api.url, verb('fetch', 'type'), slow(1000), token);
    // taken by w1, which is sleeping on it
    const connection = redisClient();
    const queue = new Queue('platform-dummy', { connection, prefix: `${prefix}:bull` });
    try {
      await eventually(async () => (await queue.getActiveCount()) === 1, 5000, 20);
    } finally {
      await queue.close();
      connection.disconnect();
    }
    w1.proc.kill('SIGKILL');
    await startHubgraph({ role: 'worker', prefix, env });
    const answer = await call;
    expect(answer.errors, JSON.stringify(answer.errors)).toBeUndefined();
    expect(answer.data?.fetch.type).toBe('fetch');
    // found stalled within the lock time, not at the end of the job's deadline
    expect(Date.now() - t0).toBeLessThan(20_000);
  }, 30_000);
});
