// Messages → `send`: actor = the sender (a person's bare JID for chat; the occupant
// `room@service/nick` for groupchat and for private messages through a room; the room itself
// for its own announcements; the server, `type: "service"`, for its own messages), target = the room for groupchat, else us. Object `{type:
// "message", content, id, replace?, stanzaId?}`: id is the stanza's id (what a correction
// refers to), replace the id a XEP-0308 correction replaces, stanzaId the server's XEP-0359 id.
// `published` comes from a XEP-0203 delay stamp (room history, offline messages). The room
// reflects our own groupchat messages: they arrive like anyone's (with the id `send` returned).
// A XEP-0085 chat state without a body (typing …) → `update` with object `{type:
// "chat-state", content: "composing"|"paused"|"active"|"inactive"|"gone"}`.
// Subjects are subject.ts's, errors errors.ts's.
import type { Element } from '@xmpp/xml';
import type { XmppState } from '../state.js';
import { inbound, occupant, person, room, service, tryJid } from '../translate.js';

const NS_CORRECT = 'urn:xmpp:message-correct:0';
const NS_CHATSTATES = 'http://jabber.org/protocol/chatstates';
const NS_SID = 'urn:xmpp:sid:0';

export function onMessages(state: XmppState): void {
  state.client.on('stanza', (el: Element) => {
    if (!el.is('message') || el.attrs.type === 'error') return;
    const from = tryJid(el.attrs.from);
    if (!from) return;
    const groupchat = el.attrs.type === 'groupchat';
    const bare = from.bare().toString();
    const body = el.getChild('body');
    if (groupchat && el.getChild('subject') && !body) return;
    const viaRoom = groupchat || state.rooms.has(bare);
    const actor = viaRoom ? (from.resource ? occupant(bare, from.resource) : room(bare)) : from.local ? person(bare) : service(from.domain);
    const target = groupchat ? room(bare) : person(state.bare);
    const stamp = el.getChild('delay', 'urn:xmpp:delay')?.attrs.stamp as string | undefined;
    if (!body) {
      const chatState = el.getChildElements().find((c) => c.attrs.xmlns === NS_CHATSTATES);
      if (chatState) state.ctx.emit(inbound('update', actor, target, { type: 'chat-state', content: chatState.name }));
      return;
    }
    const replace = el.getChild('replace', NS_CORRECT)?.attrs.id as string | undefined;
    const stanzaId = el.getChildren('stanza-id', NS_SID).find((s) => s.attrs.by === (groupchat ? bare : state.bare))?.attrs.id as string | undefined;
    const id = el.attrs.id as string | undefined;
    state.ctx.emit(inbound('send', actor, target, {
      type: 'message',
      content: body.text(),
      ...(id ? { id } : {}),
      ...(replace ? { replace } : {}),
      ...(stanzaId ? { stanzaId } : {}),
    }, stamp));
  });
}
