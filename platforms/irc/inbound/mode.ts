// MODE on a channel: membership modes (+q +a +o +h +v and their removal) become `update`
// presence activities carrying the member's new role, the mode change and who made it. Every
// other channel mode (+m, +n, +t, +i, +s, +l 10, +k key, +b mask …) becomes an `update` with
// object `{type: "mode", content: "+b *!*@host", mode: "+b", param?: "*!*@host"}`, actor = who
// set it (the server's service when a server did). A +k/-k on a channel we want updates the key
// a rejoin presents. User modes (MODE on our own nick) are not announced.
import type { IrcEvent } from 'irc-framework';
import { type IrcState, lower, remember } from '../state.js';
import { inbound, isChannel, isRoleMode, person, presence, room, service } from '../translate.js';

export function onMode(state: IrcState): void {
  state.client.on('mode', (e: IrcEvent) => {
    const channel = String(e.target ?? '');
    if (!isChannel(channel) || !Array.isArray(e.modes)) return;
    const chanKey = lower(state, channel);
    const ch = state.channels.get(chanKey);
    const setter = e.nick && !String(e.nick).includes('.') ? person(String(e.nick), state.server) : undefined;
    for (const m of e.modes as IrcEvent[]) {
      const change = String(m.mode ?? '');
      const letter = change.slice(1);
      const param = typeof m.param === 'string' ? m.param : '';
      if (!isRoleMode(letter)) {
        if (letter === 'k' && state.wanted.has(chanKey)) {
          if (change.startsWith('+') && param && param !== '*') state.keys.set(chanKey, param);
          else if (change.startsWith('-')) state.keys.delete(chanKey);
          remember(state);
        }
        const object = { type: 'mode', content: param ? `${change} ${param}` : change, mode: change, ...(param ? { param } : {}) };
        state.ctx.emit(inbound('update', setter ?? service(state.server), room(ch?.name ?? channel, state.server), object, e));
        continue;
      }
      const nick = param;
      if (!nick) continue;
      let member = ch?.members.get(lower(state, nick));
      if (ch && !member) {
        member = { nick, modes: new Set() };
        ch.members.set(lower(state, nick), member);
      }
      const modes = member?.modes ?? new Set<string>();
      if (change.startsWith('+')) modes.add(letter);
      else modes.delete(letter);
      state.ctx.emit(presence(member?.nick ?? nick, ch?.name ?? channel, state.server, modes, { mode: change, ...(setter ? { by: setter } : {}) }, e));
    }
  });
}
