// hubgraph as the bench runs it: the compiled entry point (as `npm start` runs it), one process
// in role "all", the dummy platform unless told otherwise, a throwaway key prefix in the bench's
// private Redis.
import { randomBytes } from 'node:crypto';
import { startChild, type ChildServer } from './child.js';
import { HUBGRAPH_MAIN } from './paths.js';

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
}

export async function startHubgraph(opts: HubgraphOptions): Promise<HubgraphServer> {
  const prefix = `hgbench-${randomBytes(4).toString('hex')}`;
  const env: Record<string, string> = {
    HUBGRAPH_ROLE: 'all',
    HUBGRAPH_PLATFORMS: opts.platforms ?? 'dummy',
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
      HUBGRAPH_SECRET: `bench-${randomBytes(16).toString('hex')}`,
    },
    readyPattern: /hubgraph ready at (http:\/\/\S+\/graphql)/,
  });
  return { child, url: child.ready, wsUrl: child.ready.replace(/^http/, 'ws'), prefix, env };
}
