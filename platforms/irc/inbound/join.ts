// JOIN → `join` (actor = who, target = the channel). Our own JOIN answers the join verb and
// starts the channel's member list; NAMES follows it (see names.ts), and we ask the channel's
// modes (`MODE #chan`, answered by 324: see mode.ts).
import type { IrcEvent } from 'irc-framework';
import { type IrcState, channelEvent, isSelf, lower, remember } from '../state.js';
import { inbound, person, room } from '../translate.js';

export function onJoin(state: IrcState): void {
  state.client.on('join', handleJoin, state);
}

function handleJoin(this: IrcState, e: IrcEvent): void {
  const state = this;
  const ev = channelEvent(state, e, 'nick');
  if (!ev) return;
  const { channel, nick, key } = ev;
  if (isSelf(state, nick)) {
    state.channels.set(key, { name: channel, members: new Map() });
    if (state.wanted.get(key) !== channel) { state.wanted.set(key, channel); remember(state); }
  } else {
    state.channels.get(key)?.members.set(lower(state, nick), { nick, modes: '' });
  }
  state.ctx.emit(inbound('join', person(nick, state.server), room(channel, state.server), undefined, e));
  if (isSelf(state, nick)) {
    state.client.raw('MODE', channel);
    state.pending.resolve(`join ${key}`);
  }
}
