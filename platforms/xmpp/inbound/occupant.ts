// Presence from a MUC room we are in (XEP-0045) → activities about its occupants, each
// `room@service/nick` (`type: "person"`, name = the nick):
// - someone there or arriving → `join`, object `{type: "presence", presence, role, affiliation,
//   jid?, content?}` (role: moderator|participant|visitor; affiliation: owner|admin|member|
//   outcast|none; jid: the real JID when the room shows it). Joining a room first lists everyone
//   already in it this way, then ourselves (status 110), which answers the join verb.
// - a change of someone present (show/status, role, affiliation) → `update` with the same object.
// - leaving → `leave` (object `{type: "message", content}` with the status text, or `{type:
//   "kick"|"ban", content: reason}`); our own answers the leave verb. Kicked or banned, the room
//   is no longer rejoined.
// - a nick change (status 303) → `update`, actor = old occupant, target = new, object
//   `{type: "address"}`, as API.md has it for IRC.
import type { Element } from '@xmpp/xml';
import { noteJoined } from '../history.js';
import { type XmppState, remember } from '../state.js';
import { bareOf, inbound, occupant, presenceOf, room, tryJid } from '../translate.js';

export const NS_MUC_USER = 'http://jabber.org/protocol/muc#user';

export function isRoomPresence(state: XmppState, el: Element): boolean {
  return !!el.getChild('x', NS_MUC_USER) || state.rooms.has(bareOf(String(el.attrs.from ?? '')));
}

export function onOccupants(state: XmppState): void {
  state.client.on('stanza', (el: Element) => {
    if (!el.is('presence')) return;
    const type = el.attrs.type as string | undefined;
    if (type && type !== 'unavailable') return;
    const from = tryJid(el.attrs.from);
    if (!from?.resource) return;
    const roomJid = from.bare().toString();
    const r = state.rooms.get(roomJid);
    if (!r) return;
    const nick = from.resource;
    const x = el.getChild('x', NS_MUC_USER);
    const item = x?.getChild('item');
    const codes = new Set((x?.getChildren('status') ?? []).map((s) => String(s.attrs.code)));
    const self = codes.has('110') || (nick === r.nick && !r.joined);
    const role = String(item?.attrs.role ?? 'none');
    const affiliation = String(item?.attrs.affiliation ?? 'none');
    const realJid = typeof item?.attrs.jid === 'string' ? item.attrs.jid : undefined;
    const status = el.getChildText('status') ?? '';
    const who = occupant(roomJid, nick);

    if (type === 'unavailable') {
      const newNick = item?.attrs.nick as string | undefined;
      if (codes.has('303') && newNick) {
        const o = r.occupants.get(nick);
        r.occupants.delete(nick);
        if (o) r.occupants.set(newNick, { ...o, nick: newNick });
        if (self) {
          r.nick = newNick;
          const w = state.wanted.get(roomJid);
          if (w) { w.nick = newNick; remember(state); }
          state.pending.resolve(`nick ${roomJid}`);
        }
        state.ctx.emit(inbound('update', who, occupant(roomJid, newNick), { type: 'address' }));
        return;
      }
      r.occupants.delete(nick);
      const reason = item?.getChildText('reason') ?? '';
      const object = codes.has('307') ? { type: 'kick', content: reason } : codes.has('301') ? { type: 'ban', content: reason } : status ? { type: 'message', content: status } : undefined;
      state.ctx.emit(inbound('leave', who, room(roomJid), object));
      if (self) {
        state.rooms.delete(roomJid);
        if (!state.pending.resolve(`leave ${roomJid}`) && (codes.has('307') || codes.has('301') || el.getChild('x', NS_MUC_USER)?.getChild('destroy'))) {
          if (state.wanted.delete(roomJid)) remember(state);
        }
      }
      return;
    }

    const known = r.occupants.has(nick);
    const presence = presenceOf(undefined, el.getChildText('show') ?? undefined);
    r.occupants.set(nick, { nick, role, affiliation, presence, ...(realJid ? { jid: realJid } : {}), ...(status ? { status } : {}) });
    const object = { type: 'presence', presence, role, affiliation, ...(realJid ? { jid: realJid } : {}), ...(status ? { content: status } : {}) };
    state.ctx.emit(inbound(known ? 'update' : 'join', who, room(roomJid), object));
    if (self && !r.joined) {
      r.joined = true;
      // before the history that follows: what it repeats is told apart from what is new
      noteJoined(state, roomJid);
      r.nick = nick;
      // 201: we created the room; the join unlocks it before it is done (verbs/join.ts)
      state.pending.resolve(`join ${roomJid}`, { created: codes.has('201') });
    }
  });
}
