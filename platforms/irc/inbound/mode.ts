// MODE on a channel: membership modes (+q +a +o +h +v and their removal) become `update`
// presence activities carrying the member's new role, the mode change and who made it. Other
// channel modes (+m, +b, +k …) and user modes are not announced yet.
import type { IrcEvent } from 'irc-framework';
import { type IrcState, lower } from '../state.js';
import { isChannel, isRoleMode, person, presence } from '../translate.js';

export function onMode(state: IrcState): void {
  state.client.on('mode', (e: IrcEvent) => {
    const channel = String(e.target ?? '');
    if (!isChannel(channel) || !Array.isArray(e.modes)) return;
    const ch = state.channels.get(lower(state, channel));
    for (const m of e.modes as IrcEvent[]) {
      const change = String(m.mode ?? '');
      const letter = change.slice(1);
      const nick = typeof m.param === 'string' ? m.param : '';
      if (!isRoleMode(letter) || !nick) continue;
      let member = ch?.members.get(lower(state, nick));
      if (ch && !member) {
        member = { nick, modes: new Set() };
        ch.members.set(lower(state, nick), member);
      }
      const modes = member?.modes ?? new Set<string>();
      if (change.startsWith('+')) modes.add(letter);
      else modes.delete(letter);
      const by = e.nick && !String(e.nick).includes('.') ? person(String(e.nick), state.server) : undefined;
      state.ctx.emit(presence(member?.nick ?? nick, ch?.name ?? channel, state.server, modes, { mode: change, ...(by ? { by } : {}) }, e.time));
    }
  });
}
