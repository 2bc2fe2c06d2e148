// Everything a deployment keeps in Redis, as text: every key under the prefix with its value, so
// that a test can check that nothing secret is stored in clear.
import { redisClient } from './hubgraph.js';

export async function dumpPrefix(prefix: string): Promise<string> {
  const r = redisClient();
  try {
    const parts: string[] = [];
    for (const k of await r.keys(`${prefix}:*`)) {
      const type = await r.type(k);
      if (type === 'string') parts.push(k, String(await r.get(k)));
      else if (type === 'hash') parts.push(k, JSON.stringify(await r.hgetall(k)));
      else if (type === 'set') parts.push(k, JSON.stringify(await r.smembers(k)));
      else if (type === 'zset') parts.push(k, JSON.stringify(await r.zrange(k, 0, -1, 'WITHSCORES')));
      else if (type === 'list') parts.push(k, JSON.stringify(await r.lrange(k, 0, -1)));
      else if (type === 'stream') parts.push(k, JSON.stringify(await r.xrange(k, '-', '+')));
      else parts.push(k, type);
    }
    return parts.join('\n');
  } finally {
    r.disconnect();
  }
}

/** The worker holding the connection of `actor` in the deployment, or '' when none does. */
export async function connectionOwner(prefix: string, actor: string): Promise<string> {
  const r = redisClient();
  try {
    for (const k of await r.keys(`${prefix}:c:*:owner`)) {
      if ((await r.hget(k.replace(/:owner$/, ''), 'actor')) === actor) return (await r.get(k)) ?? '';
    }
    return '';
  } finally {
    r.disconnect();
  }
}
