// MODE → `update` activities. On a channel, membership modes (+q +a +o +h +v and their removal)
// become `update` presence activities carrying the member's new role, the mode change and who made
// it. Every other channel mode (+m, +n, +t, +i, +s, +l 10, +k key, +b mask …) becomes an `update`
// with object `{type: "mode", content: "+b *!*@host", mode: "+b", param?: "*!*@host"}`, actor =
// who set it (the server's service when a server did), target = the channel. A +k/-k on a channel
// we want updates the key a rejoin presents.
// On our own nick (user modes: +i, +w, +x … set by us, the server or an operator), the same
// `update` with object type `mode`, target = our own person.
// The channel's modes at join: our own JOIN asks `MODE #chan` (inbound/join.ts), and the answer,
// RPL_CHANNELMODEIS (324), is one `update` from the server with object `{type: "mode", content:
// "+lnt 10", mode: "+lnt", params: ["10"], modes: [{mode: "+l", param: "10"}, {mode: "+n"} …],
// current: true}`: what the channel's modes are, not a change.
import type { IrcEvent } from 'irc-framework';
import { type IrcState, isSelf, lower, remember } from '../state.js';
import { inbound, isChannel, isRoleMode, person, presence, room, service } from '../translate.js';

/** `{mode, param?}` pairs as irc-framework parses them. */
function changes(list: unknown): { mode: string; param: string }[] {
  if (!Array.isArray(list)) return [];
  return list.map((m: IrcEvent) => ({ mode: String(m?.mode ?? ''), param: typeof m?.param === 'string' ? m.param : '' })).filter((m) => /^[+-]./.test(m.mode));
}

/** Follows +k/-k on a channel we want, so a rejoin presents the key in force. */
function followKey(state: IrcState, chanKey: string, change: string, param: string): void {
  if (change.slice(1) !== 'k' || !state.wanted.has(chanKey)) return;
  if (change.startsWith('+') && param && param !== '*') state.keys.set(chanKey, param);
  else if (change.startsWith('-')) state.keys.delete(chanKey);
  else return;
  remember(state);
}

export function onMode(state: IrcState): void {
  state.client.on('mode', handleMode, state);

  // RPL_CHANNELMODEIS (324); irc-framework reports 329 (creation time) and the channel URL as
  // `channel info` too, without raw_modes
  state.client.on('channel info', handleChannelInfo, state);
}

function handleMode(this: IrcState, e: IrcEvent): void {
  const state = this;
  const target = String(e.target ?? '');
  const setter = e.nick && !String(e.nick).includes('.') ? person(String(e.nick), state.server) : undefined;
  if (!isChannel(target)) {
    if (!isSelf(state, target)) return;
    for (const { mode, param } of changes(e.modes)) {
      const object = { type: 'mode', content: param ? `${mode} ${param}` : mode, mode, ...(param ? { param } : {}) };
      state.ctx.emit(inbound('update', setter ?? service(state.server), person(state.nick, state.server), object, e));
    }
    return;
  }
  const chanKey = lower(state, target);
  const ch = state.channels.get(chanKey);
  for (const { mode: change, param } of changes(e.modes)) {
    const letter = change.slice(1);
    if (!isRoleMode(letter)) {
      followKey(state, chanKey, change, param);
      const object = { type: 'mode', content: param ? `${change} ${param}` : change, mode: change, ...(param ? { param } : {}) };
      state.ctx.emit(inbound('update', setter ?? service(state.server), room(ch?.name ?? target, state.server), object, e));
      continue;
    }
    const nick = param;
    if (!nick) continue;
    let member = ch?.members.get(lower(state, nick));
    if (ch && !member) {
      member = { nick, modes: '' };
      ch.members.set(lower(state, nick), member);
    }
    const had = member?.modes ?? '';
    const modes = change.startsWith('+') ? (had.includes(letter) ? had : had + letter) : had.replace(letter, '');
    if (member) member.modes = modes;
    state.ctx.emit(presence(member?.nick ?? nick, ch?.name ?? target, state.server, modes, { mode: change, ...(setter ? { by: setter } : {}) }, e));
  }
}

function handleChannelInfo(this: IrcState, e: IrcEvent): void {
  const state = this;
  const channel = String(e.channel ?? '');
  if (!isChannel(channel) || typeof e.raw_modes !== 'string') return;
  const chanKey = lower(state, channel);
  const params = Array.isArray(e.raw_params) ? e.raw_params.map(String) : [];
  const modes = changes(e.modes);
  for (const { mode, param } of modes) followKey(state, chanKey, mode, param);
  const object = {
    type: 'mode',
    content: [e.raw_modes, ...params].join(' '),
    mode: e.raw_modes,
    params,
    modes: modes.map(({ mode, param }) => ({ mode, ...(param ? { param } : {}) })),
    current: true,
  };
  state.ctx.emit(inbound('update', service(state.server), room(state.channels.get(chanKey)?.name ?? channel, state.server), object, e));
}
