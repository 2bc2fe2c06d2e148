// Writing stanzas: a verb is "sent" once its stanza is handed to the connection.
import type { Element } from '@xmpp/xml';
import { HubError } from '../../../src/errors.js';
import { type XmppState, connected } from '../state.js';

export async function write(state: XmppState, stanza: Element): Promise<void> {
  connected(state);
  try {
    await state.client.send(stanza);
  } catch (err) {
    throw new HubError('PLATFORM_ERROR', `could not write to ${state.domain}: ${(err as Error).message}`);
  }
}

/** An iq answered by the server; a stanza error becomes PLATFORM_ERROR naming its condition. */
export async function request(state: XmppState, stanza: Element, what: string): Promise<Element> {
  connected(state);
  try {
    return (await state.client.iqCaller.request(stanza, 15_000)) as Element;
  } catch (err) {
    const e = err as { name?: string; condition?: string; text?: string; message?: string };
    if (e.name === 'StanzaError') {
      throw new HubError('PLATFORM_ERROR', `${what} failed: ${e.condition}${e.text ? ` (${e.text})` : ''}`, { condition: e.condition });
    }
    if (e.name === 'TimeoutError') throw new HubError('TIMEOUT', `${what}: the XMPP server did not answer within 15 s`);
    throw new HubError('PLATFORM_ERROR', `${what} failed: ${e.message ?? String(err)}`);
  }
}
