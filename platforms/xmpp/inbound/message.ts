// Messages → `send`: actor = the sender (a person's bare JID for chat; the occupant
// `room@service/nick` for groupchat and for private messages through a room; the room itself
// for its own announcements; the server, `type: "service"`, for its own messages), target = the
// room for groupchat, else us. Object `{type: "message", content, id, replace?, stanzaId?}`: id
// is the stanza's id (what a correction refers to), replace the id a XEP-0308 correction
// replaces, stanzaId the server's XEP-0359 id. `published` comes from a XEP-0203 delay stamp
// (room history, offline messages). The room reflects our own groupchat messages: they arrive
// like anyone's (with the id `send` returned). A XEP-0085 chat state without a body (typing …) →
// `update` with object `{type: "chat-state", content: "composing"|"paused"|"active"|"inactive"|"gone"}`.
// Carbons (XEP-0280, asked for at login): what another resource of the account received arrives
// the same way with `carbon: "received"` in the object; what another resource sent arrives as
// `send` with actor = us, target = its recipient and `carbon: "sent"`. Only carbons from our own
// bare JID are believed. Subjects are subject.ts's, errors errors.ts's.
import type { Element } from '@xmpp/xml';
import type { ASActivity } from '../../../src/platform/types.js';
import { noteRoomMessage } from '../history.js';
import type { XmppState } from '../state.js';
import { inbound, occupant, person, room, service, tryJid } from '../translate.js';

const NS_CORRECT = 'urn:xmpp:message-correct:0';
const NS_CHATSTATES = 'http://jabber.org/protocol/chatstates';
const NS_SID = 'urn:xmpp:sid:0';
export const NS_CARBONS = 'urn:xmpp:carbons:2';
const NS_FORWARD = 'urn:xmpp:forward:0';

/** The activity of a message stanza, or undefined when it carries nothing we announce. */
function translate(state: XmppState, el: Element, carbon?: 'sent' | 'received'): ASActivity | undefined {
  const from = tryJid(el.attrs.from);
  if (!from) return undefined;
  const groupchat = el.attrs.type === 'groupchat';
  const body = el.getChild('body');
  if (groupchat && el.getChild('subject') && !body) return undefined;
  let actor;
  let target;
  if (carbon === 'sent') {
    const to = tryJid(el.attrs.to);
    if (!to) return undefined;
    const toBare = to.bare().toString();
    actor = person(state.bare);
    target = state.rooms.has(toBare) && to.resource ? occupant(toBare, to.resource) : person(toBare);
  } else {
    const bare = from.bare().toString();
    const viaRoom = groupchat || state.rooms.has(bare);
    actor = viaRoom ? (from.resource ? occupant(bare, from.resource) : room(bare)) : from.local ? person(bare) : service(from.domain);
    target = groupchat ? room(bare) : person(state.bare);
  }
  const stamp = el.getChild('delay', 'urn:xmpp:delay')?.attrs.stamp as string | undefined;
  const marks = carbon ? { carbon } : {};
  if (!body) {
    const chatState = el.getChildElements().find((c) => c.attrs.xmlns === NS_CHATSTATES);
    return chatState ? inbound('update', actor, target, { type: 'chat-state', content: chatState.name, ...marks }) : undefined;
  }
  const replace = el.getChild('replace', NS_CORRECT)?.attrs.id as string | undefined;
  const by = groupchat ? from.bare().toString() : state.bare;
  const stanzaId = el.getChildren('stanza-id', NS_SID).find((s) => s.attrs.by === by)?.attrs.id as string | undefined;
  const id = el.attrs.id as string | undefined;
  return inbound('send', actor, target, {
    type: 'message',
    content: body.text(),
    ...(id ? { id } : {}),
    ...(replace ? { replace } : {}),
    ...(stanzaId ? { stanzaId } : {}),
    ...marks,
  }, stamp);
}

export function onMessages(state: XmppState): void {
  state.client.on('stanza', (el: Element) => {
    if (!el.is('message') || el.attrs.type === 'error') return;
    const wrapper = el.getChild('received', NS_CARBONS) ?? el.getChild('sent', NS_CARBONS);
    if (wrapper) {
      // a carbon copy: only our own server (from = our bare JID) may send one
      if (el.attrs.from !== state.bare) return;
      const inner = wrapper.getChild('forwarded', NS_FORWARD)?.getChild('message');
      if (!inner || inner.attrs.type === 'error') return;
      const a = translate(state, inner, wrapper.name === 'sent' ? 'sent' : 'received');
      if (a) state.ctx.emit(a);
      return;
    }
    const a = translate(state, el);
    if (!a) return;
    // room history a rejoin repeats (history.ts) is not announced twice
    if (a.type === 'send' && el.attrs.type === 'groupchat' && !noteRoomMessage(state, (a.target as { id: string }).id, el)) return;
    state.ctx.emit(a);
  });
}
