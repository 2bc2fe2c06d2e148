// Stanza errors (RFC 6120 §8.3) on messages and presence → `error` activities naming the verb
// that failed: object `{type: "error", content, verb, condition, id?}`, target = who answered (a
// room, a person). A message error is a failed `send` (`update` when it carried a subject); a
// presence error from a room we are joining fails that `join` (nick taken, members only, banned,
// wrong password …), from a room we are in an `update`, from anyone else `request-friend` when
// it was a subscription request and `update` otherwise. A verb still waiting for the answer fails
// with PLATFORM_ERROR and the same text. Errors answering our iqs fail the verb that asked.
import type { Element } from '@xmpp/xml';
import { HubError } from '../../../src/errors.js';
import type { XmppState } from '../state.js';
import { inbound, person, room, tryJid } from '../translate.js';

const NS_STANZAS = 'urn:ietf:params:xml:ns:xmpp-stanzas';

export function reportError(state: XmppState, verb: string, content: string, details: Record<string, unknown>, target?: ReturnType<typeof person>): void {
  state.ctx.emit(inbound('error', person(state.bare), target, { type: 'error', content, verb, ...details }));
}

function conditionOf(el: Element): { condition: string; text: string } {
  const error = el.getChild('error');
  const cond = error?.getChildElements().find((c) => c.attrs.xmlns === NS_STANZAS && c.name !== 'text');
  return { condition: cond?.name ?? 'undefined-condition', text: error?.getChildText('text', NS_STANZAS) ?? '' };
}

export function onErrors(state: XmppState): void {
  state.client.on('stanza', (el: Element) => {
    if (el.attrs.type !== 'error' || !(el.is('message') || el.is('presence'))) return;
    const from = tryJid(el.attrs.from);
    const bare = from?.bare().toString() ?? state.domain;
    const { condition, text } = conditionOf(el);
    const id = el.attrs.id as string | undefined;
    const isRoom = state.rooms.has(bare) || state.pending.has(`join ${bare}`) || state.wanted.has(bare);
    let verb: string;
    let key: string | undefined;
    const asked = id ? state.asked.get(id) : undefined;
    if (asked) ({ verb, key } = asked);
    else if (el.is('message')) {
      verb = el.getChild('subject') && !el.getChild('body') ? 'update' : 'send';
      if (verb === 'update') key = `subject ${bare}`;
    } else if (state.pending.has(`join ${bare}`)) {
      verb = 'join';
      key = `join ${bare}`;
    } else if (isRoom) {
      verb = 'update';
      if (state.pending.has(`nick ${bare}`)) key = `nick ${bare}`;
    }
    else verb = el.getChild('x', 'http://jabber.org/protocol/muc') ? 'join' : 'request-friend';
    const content = `${verb} failed (${from?.toString() ?? bare}): ${condition}${text ? ` (${text})` : ''}`;
    const details = { condition, ...(id ? { id } : {}) };
    reportError(state, verb, content, details, isRoom ? room(bare) : from ? person(from.toString()) : undefined);
    if (key) state.pending.reject(key, new HubError('PLATFORM_ERROR', content, details));
    if (verb === 'join' && !state.pending.has(`join ${bare}`)) state.rooms.delete(bare);
  });
}
