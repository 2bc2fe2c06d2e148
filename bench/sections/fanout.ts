// Section 4: inbound fan-out to 1, 100 and 1,000 subscribers of one session, hubgraph against
// the plain graphql-ws floor, measured alternately (floor, then hubgraph, per subscriber count)
// so that a change in the machine's load touches both.
import { assertAlive } from '../support/child.js';
import type { FloorServer } from '../support/floor.js';
import type { HubgraphServer } from '../support/hubgraph.js';
import { HttpGql } from '../support/http-gql.js';
import { ACTIVITIES_SUBSCRIPTION, connectDummy, emitInbound, openSession } from '../support/operations.js';
import { measureFanout, type FanoutRow, type FanoutTarget } from './fanout-measure.js';
import type { FanoutSizes } from '../options.js';

export interface FanoutPair {
  subscribers: number;
  floor: FanoutRow;
  hubgraph: FanoutRow;
}

async function hubgraphTarget(hub: HubgraphServer, redisPid: number | undefined): Promise<FanoutTarget & { close(): void }> {
  const anon = new HttpGql(hub.url);
  const token = await openSession(anon);
  anon.close();
  const http = new HttpGql(hub.url, token);
  await connectDummy(http);
  return {
    name: 'hubgraph',
    wsUrl: hub.wsUrl,
    init: { authorization: `Bearer ${token}` },
    query: ACTIVITIES_SUBSCRIPTION,
    emit: (n) => emitInbound(http, n),
    pids: { server: hub.child.proc.pid, redis: redisPid, client: process.pid },
    assertAlive: () => assertAlive(hub.child),
    close: () => http.close(),
  };
}

function floorTarget(floor: FloorServer): FanoutTarget {
  return {
    name: 'floor',
    wsUrl: floor.wsUrl,
    init: {},
    query: ACTIVITIES_SUBSCRIPTION,
    emit: (n) => floor.emit(n),
    pids: { server: floor.child.proc.pid, client: process.pid },
    assertAlive: () => assertAlive(floor.child),
  };
}

export async function runFanout(
  hub: HubgraphServer,
  floor: FloorServer,
  redisPid: number | undefined,
  sizes: FanoutSizes,
  progress: (line: string) => void,
): Promise<FanoutPair[]> {
  const hg = await hubgraphTarget(hub, redisPid);
  const fl = floorTarget(floor);
  const pairs: FanoutPair[] = [];
  try {
    for (const subscribers of sizes.subscribers) {
      const events = sizes.burstEvents[subscribers] ?? 100;
      const runs = { bursts: sizes.bursts, pacedMs: sizes.pacedMs };
      progress(`fan-out to ${subscribers} subscriber(s): floor`);
      const floorRow = await measureFanout(fl, subscribers, events, runs);
      progress(`fan-out to ${subscribers} subscriber(s): hubgraph`);
      const hubRow = await measureFanout(hg, subscribers, events, runs);
      pairs.push({ subscribers, floor: floorRow, hubgraph: hubRow });
    }
  } finally {
    hg.close();
  }
  return pairs;
}
