// KICK → `leave` of the kicked person (actor), target = the channel, object `{type: "kick",
// content: reason, by: who kicked}`. When we are the one kicked, the channel is forgotten.
import type { IrcEvent } from 'irc-framework';
import { type IrcState, channelEvent, leftChannel } from '../state.js';
import { inbound, person, room } from '../translate.js';

export function onKick(state: IrcState): void {
  state.client.on('kick', handleKick, state);
}

function handleKick(this: IrcState, e: IrcEvent): void {
  const state = this;
  const ev = channelEvent(state, e, 'kicked');
  if (!ev) return;
  const { channel, nick: kicked, key } = ev;
  leftChannel(state, key, kicked);
  const by = e.nick ? person(String(e.nick), state.server) : undefined;
  state.ctx.emit(inbound('leave', person(kicked, state.server), room(channel, state.server), { type: 'kick', content: String(e.message ?? ''), ...(by ? { by } : {}) }, e));
}
