// The fan-out floor server (bench/floor/server.ts) as a child process, run with tsx.
import { request } from 'node:http';
import { startChild, type ChildServer } from './child.js';
import { keepAliveAgent } from './http-gql.js';
import { FLOOR_SERVER } from './paths.js';

export interface FloorServer {
  child: ChildServer;
  wsUrl: string;
  /** publishes n activities to every subscriber */
  emit(n: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startFloor(): Promise<FloorServer> {
  const child = await startChild({
    name: 'floor server',
    nodeArgs: ['--import', 'tsx', FLOOR_SERVER],
    env: {},
    readyPattern: /floor ready at (ws:\/\/\S+\/graphql)/,
  });
  const agent = keepAliveAgent(1);
  const base = new URL(child.ready.replace(/^ws/, 'http'));
  const emit = (n: number) =>
    new Promise<void>((resolve, reject) => {
      const req = request(new URL(`/emit?n=${n}`, base), { method: 'POST', agent }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 204 ? resolve() : reject(new Error(`floor /emit answered ${res.statusCode}`))));
      });
      req.on('error', reject);
      req.end();
    });
  return {
    child,
    wsUrl: child.ready,
    emit,
    async stop() {
      agent.destroy();
      await child.stop();
    },
  };
}
