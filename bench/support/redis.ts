// The private Redis that scripts/bench.sh started; the bench never touches any other.
import { Redis } from 'ioredis';

export interface BenchRedis {
  url: string;
  host: string;
  port: number;
  /** pid of redis-server, to read its CPU time (undefined when not known) */
  pid: number | undefined;
}

export function benchRedis(): BenchRedis {
  const url = process.env.HUBGRAPH_BENCH_REDIS_URL;
  if (!url) throw new Error('HUBGRAPH_BENCH_REDIS_URL is not set: run the bench with `npm run bench`');
  const parsed = new URL(url);
  if (parsed.hostname !== '127.0.0.1') throw new Error(`the bench only runs against 127.0.0.1, not ${parsed.hostname}`);
  const pid = Number(process.env.HUBGRAPH_BENCH_REDIS_PID);
  return { url, host: parsed.hostname, port: Number(parsed.port || 6379), pid: Number.isInteger(pid) && pid > 0 ? pid : undefined };
}

/** Deletes every key under a prefix. */
export async function dropPrefix(url: string, prefix: string): Promise<void> {
  const r = new Redis(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await r.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length) await r.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    r.disconnect();
  }
}
