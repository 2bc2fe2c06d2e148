// Presence of contacts (and of our other resources) → `update`: actor = the contact's bare JID,
// target = us, object `{type: "presence", presence, content?: status text, resource, priority?}`
// with presence one of online, away, chat, dnd, xa, offline. Room presence is occupant.ts's,
// subscriptions are subscription.ts's. Our own resource's reflection is not announced.
import type { Element } from '@xmpp/xml';
import type { XmppState } from '../state.js';
import { inbound, person, presenceOf, tryJid } from '../translate.js';
import { isRoomPresence } from './occupant.js';

export function onPresence(state: XmppState): void {
  state.client.on('stanza', (el: Element) => {
    if (!el.is('presence')) return;
    const type = el.attrs.type as string | undefined;
    if (type && type !== 'unavailable') return;
    if (isRoomPresence(state, el)) return;
    const from = tryJid(el.attrs.from);
    if (!from || from.toString() === state.full) return;
    const presence = presenceOf(type, el.getChildText('show') ?? undefined);
    const status = el.getChildText('status');
    const priority = Number(el.getChildText('priority'));
    state.ctx.emit(inbound('update', person(from.bare().toString()), person(state.bare), {
      type: 'presence',
      presence,
      ...(status ? { content: status } : {}),
      ...(from.resource ? { resource: from.resource } : {}),
      ...(Number.isInteger(priority) && el.getChild('priority') ? { priority } : {}),
    }));
  });
}
