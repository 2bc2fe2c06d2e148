// A dummy session hosted in the sessions pool, there to end its thread on demand (the dummy
// platform's `crash` update, mode `exit`): every connection hosted in that thread goes with it,
// which is how the tests stage a thread crash under a real IRC or XMPP session. Run hubgraph with
// HUBGRAPH_SESSION_THREADS=1 (or the dummy platform next to it in one thread) for a sure hit.
import { ok, openSession, verb } from './client.js';

const SET = 'mutation($a: String!, $c: JSON!) { setCredentials(platform: "dummy", actor: $a, credentials: $c) }';

/** Connects the dummy session `name@dummy`; the function it returns ends that session's thread. */
export async function threadKiller(url: string, name: string): Promise<() => Promise<void>> {
  const token = await openSession(url);
  const actor = { id: `${name}@dummy`, type: 'person' };
  await ok(url, SET, { a: actor.id, c: { name } }, token);
  await ok(url, verb('connect', 'type'), { input: { platform: 'dummy', actor } }, token);
  return async () => {
    await ok(url, verb('update', 'type'), { input: { platform: 'dummy', actor, object: { type: 'crash', extra: { mode: 'exit' } } } }, token);
  };
}
