// hubgraph as the bench runs it: the compiled entry point (as `npm start` runs it), one process
// in role "all", the dummy platform unless told otherwise, a throwaway key prefix in the bench's
// private Redis.
import { randomBytes } from 'node:crypto';
import { startChild, type ChildServer } from './child.js';
import { HUBGRAPH_MAIN } from './paths.js';
import { dropPrefix } from './redis.js';

export interface HubgraphServer {
  child: ChildServer;
  url: string;
  wsUrl: string;
  prefix: string;
  /** the environment the bench chose (printed with the results) */
  env: Record<string, string>;
}

export interface HubgraphOptions {
  redisUrl: string;
  /** bytes queued per socket before hubgraph closes it with 1013 "slow consumer" (default: hubgraph's) */
  subscriberBufferBytes?: number;
  /** HUBGRAPH_PLATFORMS (default: dummy) */
  platforms?: string;
  /** further settings, printed with the results */
  env?: Record<string, string>;
  /** directory for a CPU profile of the server (node --cpu-prof), if wanted */
  cpuProfileDir?: string;
  /** further node flags (e.g. --inspect=127.0.0.1:0 for a diagnostic) */
  nodeArgs?: string[];
  /** HUBGRAPH_ROLE (default all); a worker's `url` is its health origin and `wsUrl` its worker id */
  role?: 'all' | 'api' | 'worker';
  /** processes of one deployment share the prefix and the secret (default: a fresh pair) */
  deployment?: { prefix: string; secret: string };
}

export function newDeployment(): { prefix: string; secret: string } {
  return { prefix: `hgbench-${randomBytes(4).toString('hex')}`, secret: `bench-${randomBytes(16).toString('hex')}` };
}

export async function startHubgraph(opts: HubgraphOptions): Promise<HubgraphServer> {
  const { prefix, secret } = opts.deployment ?? newDeployment();
  const role = opts.role ?? 'all';
  const env: Record<string, string> = {
    HUBGRAPH_ROLE: role,
    HUBGRAPH_PLATFORMS: opts.platforms ?? 'dummy',
    // the bench is one client address making thousands of sessions, sockets and calls: limits off
    HUBGRAPH_RATE_LIMIT: '0',
    HUBGRAPH_SESSION_RATE: '0',
    HUBGRAPH_MAX_SOCKETS_PER_IP: '0',
    HUBGRAPH_MAX_SUBSCRIPTIONS: '0',
    ...(opts.subscriberBufferBytes === undefined ? {} : { HUBGRAPH_SUBSCRIBER_BUFFER: String(opts.subscriberBufferBytes) }),
    ...opts.env,
    LOG_LEVEL: 'info', // rare lines only; a shutdown names the signal that caused it
  };
  const profile = opts.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${opts.cpuProfileDir}`] : [];
  const child = await startChild({
    name: 'hubgraph',
    nodeArgs: [...profile, ...(opts.nodeArgs ?? []), HUBGRAPH_MAIN],
    env: {
      ...env,
      REDIS_URL: opts.redisUrl,
      HOST: '127.0.0.1',
      PORT: '0',
      HUBGRAPH_PREFIX: prefix,
      HUBGRAPH_SECRET: secret,
    },
    readyPattern: role === 'worker' ? /(hubgraph worker ready \(\S+\) health at http:\/\/\S+)\/healthz/ : /hubgraph ready at (http:\/\/\S+\/graphql)/,
  });
  if (role === 'worker') {
    const m = /ready \((\S+)\) health at (\S+)/.exec(child.ready);
    return { child, url: m?.[2] ?? '', wsUrl: m?.[1] ?? '', prefix, env };
  }
  return { child, url: child.ready, wsUrl: child.ready.replace(/^http/, 'ws'), prefix, env };
}

/** Stops a hubgraph a section started, after telling the run's CPU bookkeeping (`retiring`), and drops its keys. */
export async function retireHubgraph(hub: HubgraphServer | undefined, ctx: { redisUrl: string; retiring(child: ChildServer): void }): Promise<void> {
  if (!hub) return;
  ctx.retiring(hub.child);
  await hub.child.stop();
  await dropPrefix(ctx.redisUrl, hub.prefix);
}
