// NICK → `update`: actor = the old identity, target = the new one, object `{type: "address"}`.
// Our own change answers the update verb; later activities name us by the new nick.
import type { IrcEvent } from 'irc-framework';
import { type IrcState, isSelf, lower, remember } from '../state.js';
import { inbound, person } from '../translate.js';

export function onNick(state: IrcState): void {
  state.client.on('nick', handleNick, state);
}

function handleNick(this: IrcState, e: IrcEvent): void {
  const state = this;
  const from = String(e.nick ?? '');
  const to = String(e.new_nick ?? '');
  if (!from || !to) return;
  const self = isSelf(state, from);
  for (const ch of state.channels.values()) {
    const m = ch.members.get(lower(state, from));
    if (!m) continue;
    ch.members.delete(lower(state, from));
    ch.members.set(lower(state, to), { nick: to, modes: m.modes });
  }
  if (self) { state.nick = to; remember(state); }
  state.ctx.emit(inbound('update', person(from, state.server), person(to, state.server), { type: 'address' }, e));
  if (self) state.pending.resolve('nick');
}
