// join: enters the MUC room target.id (`room@conference.server`) with a nick: actor.name when
// given (API.md: "the MUC nick defaults to actor.name"), else our JID's local part, and the
// room's password in `target.password` (GraphQL: `target: {id, extra: {password}}`) when it has
// one. Done when the room sends our own presence (status 110), after the occupants already in
// it (each a `join` activity) and before the history and the subject; failed (PLATFORM_ERROR with
// the room's condition) when the room refuses us (nick taken, members only, banned, wrong
// password …). Rooms we join are rejoined after a reconnect or a thread crash. The room's
// service is asked first (disco#info, once per connection) whether it is a MUC service: a join
// sent to a person or a server would never be answered. A room the join creates is
// configured as an instant room at once, so that servers which lock new rooms let others in.
import { xml } from '@xmpp/client';
import { HubError } from '../../../src/errors.js';
import type { ASActivity } from '../../../src/platform/types.js';
import { type Wanted, type XmppState, connected, remember } from '../state.js';
import { jidOf, xmlText } from '../translate.js';
import { request, write } from './write.js';

const NS_MUC = 'http://jabber.org/protocol/muc';
const NS_INFO = 'http://jabber.org/protocol/disco#info';
const NS_OWNER = 'http://jabber.org/protocol/muc#owner';
const NICK = /^[^\s/@][^/@\0]{0,63}$/u;

/** Sends the join presence and waits for the room's answer; `since` (a rejoin: history.ts) asks
 *  only for the history from then on, so subscribers do not get it twice. */
export async function rejoin(state: XmppState, roomJid: string, w: Wanted, since?: Date): Promise<void> {
  const { show, status } = state.presence;
  const answered = state.pending.wait<{ created: boolean } | undefined>(`join ${roomJid}`, `the join of ${roomJid}`);
  state.rooms.set(roomJid, { jid: roomJid, nick: w.nick, occupants: new Map(), joined: false });
  const x = xml('x', { xmlns: NS_MUC }, ...(w.password ? [xml('password', {}, w.password)] : []), ...(since ? [xml('history', { since: since.toISOString().replace(/\.\d+Z$/, 'Z') })] : []));
  try {
    await write(state, xml('presence', { to: `${roomJid}/${w.nick}` }, x,
      ...(show !== 'online' && show !== 'offline' ? [xml('show', {}, show)] : []),
      ...(status ? [xml('status', {}, status)] : [])));
    const joined = await answered;
    // a room we just created may be locked until its owner configures it (XEP-0045 §10.1.2):
    // accept the default configuration (an "instant room"), as clients do, so others can come in
    if (joined?.created) {
      await request(state, xml('iq', { type: 'set', to: roomJid }, xml('query', { xmlns: NS_OWNER }, xml('x', { xmlns: 'jabber:x:data', type: 'submit' }))), `unlocking the new room ${roomJid}`).catch(() => undefined);
    }
  } catch (err) {
    state.rooms.delete(roomJid);
    throw err;
  }
}

/** A join sent to anything but a MUC service would never be answered: ask the service first (once). */
async function mucService(state: XmppState, roomJid: string): Promise<void> {
  const domain = roomJid.slice(roomJid.indexOf('@') + 1);
  let isMuc = state.mucServices.get(domain);
  if (isMuc === undefined) {
    const info = await request(state, xml('iq', { type: 'get', to: domain }, xml('query', { xmlns: NS_INFO })), `asking ${domain} what it is`);
    const q = info.getChild('query', NS_INFO);
    isMuc = (q?.getChildren('feature') ?? []).some((f) => f.attrs.var === NS_MUC) || (q?.getChildren('identity') ?? []).some((i) => i.attrs.category === 'conference');
    state.mucServices.set(domain, isMuc);
  }
  if (!isMuc) throw new HubError('BAD_USER_INPUT', `${domain} is not a chat room service (MUC), so ${roomJid} is not a room`, { field: 'target.id' });
}

export async function join(state: XmppState, activity: ASActivity): Promise<ASActivity> {
  const roomJid = jidOf(activity.target, 'target.id', { bare: true }).toString();
  const nick = typeof activity.actor?.name === 'string' && activity.actor.name ? activity.actor.name : state.bare.split('@')[0]!;
  if (!NICK.test(nick)) throw new HubError('BAD_USER_INPUT', `"${nick}" cannot be a room nick (1-64 characters, no spaces at the start, no / or @)`, { field: 'actor.name' });
  const password = (activity.target as { password?: unknown } | undefined)?.password;
  if (password !== undefined && (typeof password !== 'string' || !password || password.length > 256)) {
    throw new HubError('BAD_USER_INPUT', 'target.password must be the room password (1-256 characters)', { field: 'target.password' });
  }
  if (password) xmlText(password, 'target.password');
  if (state.presence.show === 'offline') throw new HubError('BAD_USER_INPUT', 'our presence is offline: set it online (update) before joining a room', { field: 'actor.id' });
  connected(state);
  const inRoom = state.rooms.get(roomJid);
  if (inRoom?.joined && inRoom.nick === nick) return activity;
  if (state.pending.has(`join ${roomJid}`)) throw new HubError('BAD_USER_INPUT', `already joining ${roomJid}`, { field: 'target.id' });
  await mucService(state, roomJid);
  const w: Wanted = { nick, ...(password ? { password } : {}) };
  // a join of our own (not a rejoin) gets the room's default history, even of a room we were in before
  state.seen.delete(roomJid);
  await rejoin(state, roomJid, w);
  state.wanted.set(roomJid, w);
  remember(state);
  return activity;
}
