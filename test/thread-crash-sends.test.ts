// A session thread dies while `send`s are in flight on an IRC connection it hosts: every send that
// resolved reached the channel exactly once, every other one failed with a code, none arrived
// twice; the connection comes back in its channel and sends again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropPrefix, startHubgraph, type Hubgraph } from './support/hubgraph.js';
import { collect, errorCode, eventually, gql, ok, openSession, verb, wsClient } from './support/client.js';
import { startNgircd, stopAllIrc, type Ngircd } from './support/ngircd.js';
import { connectRawIrc, type RawIrc } from './support/raw-irc.js';

const SET = 'mutation($p: String!, $a: String!, $c: JSON!) { setCredentials(platform: $p, actor: $a, credentials: $c) }';

let ircd: Ngircd;
let hub: Hubgraph;
let witness: RawIrc;

beforeAll(async () => {
  // one session thread, shared by the IRC session and the dummy session that kills it
  [ircd, hub] = await Promise.all([
    startNgircd(),
    startHubgraph({ env: { HUBGRAPH_PLATFORMS: 'irc,dummy', HUBGRAPH_SESSION_THREADS: '1', HUBGRAPH_HEARTBEAT: '200', HUBGRAPH_IRC_FLOOD: '100:1000' } }),
  ]);
  witness = await connectRawIrc(ircd.host, ircd.port, 'witness');
  await witness.join('#crash');
});

afterAll(async () => {
  witness?.close();
  await hub?.stop();
  if (hub) await dropPrefix(hub.prefix);
  await stopAllIrc();
});

describe('sends across a thread crash', () => {
  it('each resolved send arrived once, each other one failed with a code, none twice; then it works again', async () => {
    const token = await openSession(hub.url);
    const actor = { id: `tess@${ircd.host}`, type: 'person' };
    const chan = { id: `#crash@${ircd.host}`, type: 'room' };
    await ok(hub.url, SET, { p: 'irc', a: actor.id, c: { nick: 'tess', server: ircd.host, port: ircd.port, secure: false } }, token);
    const ws = wsClient(hub.wsUrl, token);
    const feed = collect<{ activities: any }>(ws, 'subscription { activities(platform: "irc") { type } }');
    try {
      await ok(hub.url, verb('connect', 'type'), { input: { platform: 'irc', actor } }, token);
      await ok(hub.url, verb('join', 'type'), { input: { platform: 'irc', actor, target: chan } }, token);
      const dt = await openSession(hub.url);
      const dummy = { id: 'boom@dummy', type: 'person' };
      await ok(hub.url, SET, { p: 'dummy', a: dummy.id, c: { name: 'boom' } }, dt);
      await ok(hub.url, verb('connect', 'type'), { input: { platform: 'dummy', actor: dummy } }, dt);

      const mark = feed.items.length;
      const send = (i: number) => gql(hub.url, verb('send', 'type'), { input: { platform: 'irc', actor, target: chan, object: { type: 'message', content: `line ${i}` } } }, token);
      const sends: Promise<Awaited<ReturnType<typeof send>>>[] = [];
      for (let i = 0; i < 40; i++) {
        sends.push(send(i));
        // the thread is killed while these are on their way
        if (i === 15) sends.push(gql(hub.url, verb('update', 'type'), { input: { platform: 'dummy', actor: dummy, object: { type: 'crash', extra: { mode: 'exit' } } } }, dt) as never);
        await new Promise((r) => setTimeout(r, 5));
      }
      const results = await Promise.all(sends);
      results.splice(16, 1); // the crash request itself
      await eventually(() => feed.items.slice(mark).some((i) => i.activities.type === 'connect'), 15_000, 50);
      // it works again, from the restored connection (back in its channel); once the witness has
      // this line, the server has relayed everything the lost connection had handed it before
      expect((await send(99)).errors).toBeUndefined();
      await witness.waitFor(/PRIVMSG #crash :line 99$/);

      const arrived = (i: number) => witness.lines.filter((l) => l.endsWith(`PRIVMSG #crash :line ${i}`)).length;
      let resolved = 0;
      let failed = 0;
      results.forEach((r, i) => {
        if (r.errors) {
          failed++;
          expect(['PLATFORM_ERROR', 'TIMEOUT'], JSON.stringify(r.errors)).toContain(errorCode(r));
          expect(arrived(i), `failed send ${i}`).toBeLessThanOrEqual(1);
        } else {
          resolved++;
          expect(arrived(i), `resolved send ${i}`).toBe(1);
        }
      });
      expect(resolved).toBeGreaterThan(0);
      expect({ resolved, failed, total: resolved + failed }).toMatchObject({ total: 40 });
    } finally {
      await ws.dispose();
    }
  }, 60_000);
});
