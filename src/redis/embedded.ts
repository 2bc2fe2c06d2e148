// When nothing answers at the default Redis URL, `npm start` runs a private redis-server
// (no persistence) so a newcomer needs nothing else. Never used when REDIS_URL is given.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { redisAnswers } from './connection.js';
import { HubError } from '../errors.js';

export interface EmbeddedRedis {
  url: string;
  stop(): void;
}

export function redisServerInstalled(): boolean {
  return spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status === 0;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

export async function startEmbeddedRedis(): Promise<EmbeddedRedis> {
  if (!redisServerInstalled()) {
    throw new HubError(
      'UNAVAILABLE',
      'No Redis answers at redis://127.0.0.1:6379 and redis-server is not installed. Install it (Debian/Ubuntu: sudo apt-get install redis-server; macOS: brew install redis) or set REDIS_URL.',
    );
  }
  const port = await freePort();
  const child: ChildProcess = spawn(
    'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--loglevel', 'warning'],
    { stdio: ['ignore', 'ignore', 'inherit'] },
  );
  const url = `redis://127.0.0.1:${port}`;
  const stop = () => { if (child.exitCode === null) child.kill('SIGTERM'); };
  process.once('exit', stop);
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) break;
    if (await redisAnswers(url, 200)) return { url, stop };
    await new Promise((r) => setTimeout(r, 50));
  }
  stop();
  throw new HubError('UNAVAILABLE', `the embedded redis-server on port ${port} did not start`);
}
