// The newcomer's path: nothing answers at the default Redis URL. The test runs hubgraph in a
// network namespace of its own (unshare -n), where 127.0.0.1:6379 is free, so the machine's
// Redis is neither used nor disturbed.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('../dist/src/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'hubgraph-embedded-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const canUnshare = spawnSync('unshare', ['-n', 'true']).status === 0;
const env = () => {
  const e: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'info', HUBGRAPH_SECRET_FILE: join(dir, 'secret'), HUBGRAPH_PLATFORMS: 'dummy' };
  delete e.REDIS_URL;
  delete e.HUBGRAPH_SECRET;
  return e;
};

describe.runIf(canUnshare)('with no Redis at the default URL', () => {
  it('starts a private redis-server, says so, and stops it on exit', async () => {
    const proc = spawn('unshare', ['-n', 'sh', '-c', `ip link set lo up && exec "${process.execPath}" "${MAIN}" --port 0`], { env: env(), stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    proc.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    proc.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    const deadline = Date.now() + 30_000;
    while (!out.includes('/graphql') && Date.now() < deadline && proc.exitCode === null) await new Promise((r) => setTimeout(r, 100));
    expect(out).toMatch(/hubgraph ready at http:\/\/127\.0\.0\.1:\d+\/graphql/);
    const m = /"redis":"redis:\/\/127\.0\.0\.1:(\d+)".*started its own redis-server/.exec(err);
    expect(m).not.toBeNull();
    expect(err).toContain('generated one and kept it in the local file');
    const exited = new Promise<number | null>((r) => proc.once('exit', (c) => r(c)));
    proc.kill('SIGTERM');
    expect(await exited).toBe(0);
    await new Promise((r) => setTimeout(r, 300));
    expect(spawnSync('pgrep', ['-f', `redis-server 127.0.0.1:${m![1]}`]).status).toBe(1);
  }, 40_000);

  it('exits with a message naming how to install redis-server when it is missing', () => {
    const r = spawnSync('unshare', ['-n', 'sh', '-c', `ip link set lo up && PATH=/nonexistent exec "${process.execPath}" "${MAIN}" --port 0`], { env: env(), encoding: 'utf8', timeout: 20_000 });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('apt-get install redis-server');
  });
});
