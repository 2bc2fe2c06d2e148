// update: object.type `presence` announces our presence, as API.md shows:
// `object: {type: "presence", content: "status text", extra: {presence: "away"}}`, presence one
// of online, away, chat, dnd, xa (a <show/>) or offline (type unavailable). It goes to the server
// (which tells our contacts) and to every room we are in. Offline leaves the rooms (the server
// tells them) but keeps them wanted: coming back online rejoins them. The presence is kept and
// announced again after a reconnect. Done when written.
// object.type `topic` sets the subject of target.id (a room) to object.content, done when the
// room reflects it; a refusal (not allowed to change it) fails with PLATFORM_ERROR.
// object.type `address` with target.id `room@service/newnick` changes our nick in that room (as
// a nick change is written for IRC), done when the room confirms it; a nick in use fails.
import { randomUUID } from 'node:crypto';
import { xml } from '@xmpp/client';
import { HubError } from '../../../src/errors.js';
import type { ASActivity } from '../../../src/platform/types.js';
import { type XmppState, remember } from '../state.js';
import { PRESENCES, type Presence, jidOf, xmlText } from '../translate.js';
import { historySince } from '../history.js';
import { rejoin } from './join.js';
import { write } from './write.js';

function stanza(state: XmppState, to?: string) {
  const { show, status } = state.presence;
  const children = [
    ...(show !== 'online' && show !== 'offline' ? [xml('show', {}, show)] : []),
    ...(status ? [xml('status', {}, status)] : []),
  ];
  return xml('presence', { ...(to ? { to } : {}), ...(show === 'offline' ? { type: 'unavailable' } : {}) }, ...children);
}

/** Sends the current presence to the server and to each room we are in (not when offline at connect). */
export async function announcePresence(state: XmppState, initial = true): Promise<void> {
  if (state.presence.show === 'offline' && initial) return;
  await write(state, stanza(state));
  if (state.presence.show === 'offline') return;
  await Promise.all([...state.rooms.values()].map((r) => write(state, stanza(state, `${r.jid}/${r.nick}`))));
}

export async function update(state: XmppState, activity: ASActivity): Promise<ASActivity> {
  const obj = activity.object;
  switch (obj?.type) {
    case 'presence': {
      const presence = String(obj.presence ?? 'online');
      if (!(PRESENCES as readonly string[]).includes(presence)) {
        throw new HubError('BAD_USER_INPUT', `object.presence must be one of ${PRESENCES.join(', ')}`, { field: 'object.presence' });
      }
      const status = xmlText(String(obj.content ?? ''), 'object.content');
      const wasOffline = state.presence.show === 'offline';
      state.presence = { show: presence as Presence, status };
      await announcePresence(state, false);
      if (presence === 'offline') state.rooms.clear();
      else if (wasOffline) await Promise.all([...state.wanted].map(([jid, w]) => rejoin(state, jid, w, historySince(state, jid)).catch(() => undefined)));
      remember(state);
      return activity;
    }
    case 'topic': {
      const to = jidOf(activity.target, 'target.id', { bare: true });
      const roomJid = to.toString();
      const subject = xmlText(String(obj.content ?? ''), 'object.content');
      if (!state.rooms.get(roomJid)?.joined) throw new HubError('BAD_USER_INPUT', `not in the room ${roomJid}: join it before setting its subject`, { field: 'target.id' });
      const key = `subject ${roomJid}`;
      const id = randomUUID();
      const answered = state.pending.wait(key, `the subject of ${roomJid}`);
      state.asked.set(id, { verb: 'update', key });
      try {
        await write(state, xml('message', { to: roomJid, type: 'groupchat', id }, xml('subject', {}, subject)));
        await answered;
      } finally {
        state.asked.delete(id);
      }
      return activity;
    }
    case 'address': {
      // a new nick in a room: target.id is the occupant JID we want, room@service/newnick
      const to = jidOf(activity.target, 'target.id');
      const roomJid = to.bare().toString();
      const r = state.rooms.get(roomJid);
      if (!to.resource) throw new HubError('BAD_USER_INPUT', 'a nick change names the new occupant JID: target.id room@service/newnick', { field: 'target.id' });
      if (!r?.joined) throw new HubError('BAD_USER_INPUT', `not in the room ${roomJid}: join it with the nick instead`, { field: 'target.id' });
      if (r.nick === to.resource) return activity;
      if (/[\0@]/.test(to.resource) || to.resource.length > 64) throw new HubError('BAD_USER_INPUT', `"${to.resource}" cannot be a room nick`, { field: 'target.id' });
      const answered = state.pending.wait(`nick ${roomJid}`, `the nick change in ${roomJid}`);
      await write(state, xml('presence', { to: `${roomJid}/${to.resource}` }));
      await answered;
      return activity;
    }
    default:
      throw new HubError('BAD_USER_INPUT', 'XMPP update takes object.type "presence", "topic" or "address" (a new nick in a room)', { field: 'object.type' });
  }
}
