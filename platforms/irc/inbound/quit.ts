// QUIT → `leave` with the server as target (`type: "service"`): the person left every channel
// this connection shares with them.
import type { IrcEvent } from 'irc-framework';
import { type IrcState, lower } from '../state.js';
import { inbound, person, service } from '../translate.js';

export function onQuit(state: IrcState): void {
  state.client.on('quit', handleQuit, state);
}

function handleQuit(this: IrcState, e: IrcEvent): void {
  const state = this;
  const nick = String(e.nick ?? '');
  if (!nick) return;
  const key = lower(state, nick);
  for (const ch of state.channels.values()) ch.members.delete(key);
  const message = String(e.message ?? '');
  state.ctx.emit(inbound('leave', person(nick, state.server), service(state.server), { type: 'quit', content: message }, e));
}
