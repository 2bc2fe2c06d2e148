// PART → `leave` (actor = who, target = the channel, object = the part message when there is
// one). Our own PART answers the leave verb and forgets the channel.
import type { IrcEvent } from 'irc-framework';
import { type IrcState, channelEvent, isSelf, leftChannel } from '../state.js';
import { inbound, person, room } from '../translate.js';

export function onPart(state: IrcState): void {
  state.client.on('part', handlePart, state);
}

function handlePart(this: IrcState, e: IrcEvent): void {
  const state = this;
  const ev = channelEvent(state, e, 'nick');
  if (!ev) return;
  const { channel, nick, key } = ev;
  leftChannel(state, key, nick);
  const message = String(e.message ?? '');
  state.ctx.emit(inbound('leave', person(nick, state.server), room(channel, state.server), message ? { type: 'message', content: message } : undefined, e));
  if (isSelf(state, nick)) state.pending.resolve(`part ${key}`);
}
