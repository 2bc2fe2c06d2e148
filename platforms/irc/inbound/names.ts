// NAMES (353 … 366) → one `update` presence per member of the channel, with the member's role
// (owner ~, admin &, operator @, halfop %, voice +, else member) and raw prefix modes. It follows
// our own JOIN and answers the query verb (attendance).
import type { IrcEvent } from 'irc-framework';
import { type IrcState, lower } from '../state.js';
import { person, presence, roleOf } from '../translate.js';
import { announceTopic } from './topic.js';

export interface Attendee {
  nick: string;
  modes: string[];
}

export function onNames(state: IrcState): void {
  state.client.on('userlist', handleUserlist, state);
}

/** The attendance object a query answers with. */
export function attendance(state: IrcState, channel: string, users: Attendee[]) {
  return {
    type: 'attendance',
    totalItems: users.length,
    members: users.map((u) => ({ ...person(u.nick, state.server), role: roleOf(u.modes), modes: u.modes })),
    channel,
  };
}

function handleUserlist(this: IrcState, e: IrcEvent): void {
  const state = this;
  const channel = String(e.channel ?? '');
  if (!channel) return;
  const key = lower(state, channel);
  const users: Attendee[] = (Array.isArray(e.users) ? e.users : [])
    .filter((u: IrcEvent) => typeof u?.nick === 'string' && u.nick)
    .map((u: IrcEvent) => ({ nick: String(u.nick), modes: Array.isArray(u.modes) ? u.modes.map(String) : [] }));
  const ch = state.channels.get(key);
  if (ch) {
    ch.members = new Map(users.map((u) => [lower(state, u.nick), { nick: u.nick, modes: u.modes.join('') }]));
    if (ch.pendingTopic !== undefined) {
      if (ch.pendingTopic) announceTopic(state, ch.name, ch.pendingTopic);
      delete ch.pendingTopic;
    }
  }
  for (const u of users) state.ctx.emit(presence(u.nick, ch?.name ?? channel, state.server, u.modes));
  state.pending.resolve(`names ${key}`, users);
}
