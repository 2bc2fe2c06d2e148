// PRIVMSG, CTCP ACTION and NOTICE → `send`: actor = sender (the server itself for server notices),
// target = the channel, or this connection's own person for a private message; object type
// `message`, `me` (an action) or `notice`. With IRCv3 (server-time, message-tags) `published` is
// the server's time tag, the object's `id` its msgid and `tags` the line's tags as received.
import type { IrcEvent } from 'irc-framework';
import type { IrcState } from '../state.js';
import { inbound, isChannel, person, room, service, tagged } from '../translate.js';

function deliver(state: IrcState, kind: 'message' | 'me' | 'notice', e: IrcEvent): void {
  const target = String(e.target ?? '');
  const actor = e.from_server || !e.nick ? service(state.server) : person(String(e.nick), state.server);
  const to = isChannel(target) ? room(target, state.server) : person(state.nick, state.server);
  state.ctx.emit(inbound('send', actor, to, { type: kind, content: String(e.message ?? ''), ...tagged(e.tags) }, e.time));
}

export function onMessages(state: IrcState): void {
  state.client.on('privmsg', (e: IrcEvent) => deliver(state, 'message', e));
  state.client.on('action', (e: IrcEvent) => deliver(state, 'me', e));
  state.client.on('notice', (e: IrcEvent) => deliver(state, 'notice', e));
}
