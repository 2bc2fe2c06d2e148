// A workaround for a race in @xmpp/stream-management 0.14 (XEP-0198). The library resets its count
// of received stanzas when the promise of its <enable/> request settles, a microtask after
// <enabled/> was parsed. A server's <r/> that arrives in the same read is answered before that,
// with the count since the connection began; the next answer, counted from zero, is lower, and
// Prosody closes the stream ("Client acknowledged less stanzas than already acknowledged").
// Answers asked for before stream management is on are held, and sent with the count of the moment
// once it is (a few event-loop turns at most); if it never comes on, no answer is owed.
import { xml, type Client } from '@xmpp/client';

const NS = 'urn:xmpp:sm:3';
const WAIT_TURNS = 20;

interface Sm {
  enabled: boolean;
  inbound: number;
}

export function holdEarlyAcks(xmpp: Client): void {
  const sm = (xmpp as unknown as { streamManagement: Sm }).streamManagement;
  const send = xmpp.send.bind(xmpp);
  let owed = false;
  const later = (turn: number) =>
    setImmediate(() => {
      if (sm.enabled) {
        owed = false;
        void send(xml('a', { xmlns: NS, h: String(sm.inbound) })).catch(() => undefined);
      } else if (turn < WAIT_TURNS) later(turn + 1);
      else owed = false;
    });
  xmpp.send = (async (el: Parameters<Client['send']>[0]) => {
    if (el.name === 'a' && el.attrs.xmlns === NS && !sm.enabled) {
      if (!owed) {
        owed = true;
        later(0);
      }
      return;
    }
    return send(el);
  }) as Client['send'];
}
