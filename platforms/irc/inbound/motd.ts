// The message of the day (375/372/376) → `update` from the server (`type: "service"`), object
// `{type: "motd", content}` with the lines joined by newlines.
import type { IrcEvent } from 'irc-framework';
import type { IrcState } from '../state.js';
import { inbound, person, service } from '../translate.js';

export function onMotd(state: IrcState): void {
  state.client.on('motd', handleMotd, state);
}

function handleMotd(this: IrcState, e: IrcEvent): void {
  const state = this;
  const content = String(e.motd ?? '').replace(/\n$/, '');
  state.ctx.emit(inbound('update', service(state.server), person(state.nick, state.server), { type: 'motd', content }));
}
