// A room's subject (a groupchat message with <subject/> and no body) → `update`, actor = who set
// it (the occupant; the room itself when unknown), target = the room, object `{type: "topic",
// content}`; `published` is when it was set when the room says (a delay stamp). Every join is
// followed by the current subject. Our own change answers the update verb.
import type { Element } from '@xmpp/xml';
import type { XmppState } from '../state.js';
import { inbound, occupant, room, tryJid } from '../translate.js';

export function onSubject(state: XmppState): void {
  state.client.on('stanza', (el: Element) => {
    if (!el.is('message') || el.attrs.type !== 'groupchat') return;
    const subject = el.getChild('subject');
    if (!subject || el.getChild('body')) return;
    const from = tryJid(el.attrs.from);
    if (!from) return;
    const roomJid = from.bare().toString();
    const actor = from.resource ? occupant(roomJid, from.resource) : room(roomJid);
    const stamp = el.getChild('delay', 'urn:xmpp:delay')?.attrs.stamp as string | undefined;
    state.ctx.emit(inbound('update', actor, room(roomJid), { type: 'topic', content: subject.text() }, stamp));
    if (from.resource && from.resource === state.rooms.get(roomJid)?.nick && !stamp) state.pending.resolve(`subject ${roomJid}`);
  });
}
