// A private redis-server for tests that stop Redis on purpose (they never touch the machine's
// shared one): append-only persistence on, so a kill and restart keep what was written.
import { startDaemon, type Daemon } from './daemon.js';

export type RedisServer = Daemon & { url: string };

export async function startRedisServer(): Promise<RedisServer> {
  const d = await startDaemon({
    label: 'redis-server',
    command: 'redis-server',
    prepare: (dir, port) => ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', ''],
  });
  return Object.assign(d, { url: `redis://127.0.0.1:${d.port}` });
}
