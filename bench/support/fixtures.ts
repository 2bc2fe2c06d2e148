// The fixture server of the fetch section (bench/fixtures/server.ts) as a child process, run
// with tsx. Its own process, not a server inside the bench: the bench's event loop is busy
// generating load and parsing every GraphQL reply (a 50-item feed comes back as ~90 KB of
// JSON), and an upstream request that hubgraph sends would wait behind that work, so the
// client's own CPU time would show up as the gateway's upstream latency. As a process of its
// own it is scheduled on whichever core is free; serving two static buffers costs it little, and
// its CPU share is reported with each concurrent run. The floor reads the same server, so both
// sides pay the same upstream.
import { Agent, request } from 'undici';
import { startChild, type ChildServer } from './child.js';
import { FIXTURE_SERVER } from './paths.js';

export interface FixtureHits {
  '/page.html': number;
  '/feed.xml': number;
  notModified: number;
  connections: number;
}

export interface FixtureServer {
  child: ChildServer;
  origin: string;
  hits(): Promise<FixtureHits>;
  stop(): Promise<void>;
}

export async function startFixtures(): Promise<FixtureServer> {
  const child = await startChild({
    name: 'fixture server',
    nodeArgs: ['--import', 'tsx', FIXTURE_SERVER],
    env: {},
    readyPattern: /fixtures ready at (http:\/\/\S+)/,
  });
  const agent = new Agent({ connections: 1, keepAliveTimeout: 1000 });
  return {
    child,
    origin: child.ready,
    async hits() {
      const res = await request(`${child.ready}/__hits`, { dispatcher: agent });
      return (await res.body.json()) as FixtureHits;
    },
    async stop() {
      await agent.close();
      await child.stop();
    },
  };
}
