// PRIVMSG, CTCP ACTION and NOTICE → `send`: actor = sender (the server itself for server notices),
// target = the channel, or for a private message this connection's own person (or, for our own
// message echoed back, its recipient); object type `message`, `me` (an action) or `notice`. With
// IRCv3 (server-time, message-tags) `published` is the server's time tag, the object's `id` its
// msgid and `tags` the line's tags as received (also on the activity, as on every inbound event).
// Our own messages: with `echo-message` (asked for whenever the server offers it) the server sends
// each line we wrote back to us, and it is delivered here like anyone else's, so every session
// attached to the connection — the one that sent it included — sees it once, with the server's
// msgid and time. Without echo-message the send verb emits the same activity itself once the
// line is written (verbs/send.ts `echoLocally`). The outside world gets the line once either way.
import type { IrcEvent } from 'irc-framework';
import { type IrcState, isSelf } from '../state.js';
import { inbound, isChannel, person, room, service, tagged } from '../translate.js';

function deliver(state: IrcState, kind: 'message' | 'me' | 'notice', e: IrcEvent): void {
  const target = String(e.target ?? '');
  const actor = e.from_server || !e.nick ? service(state.server) : person(String(e.nick), state.server);
  const ours = !e.from_server && isSelf(state, e.nick ? String(e.nick) : undefined);
  const to = isChannel(target) ? room(target, state.server) : person(ours && target ? target : state.nick, state.server);
  state.ctx.emit(inbound('send', actor, to, { type: kind, content: String(e.message ?? ''), ...tagged(e.tags) }, e));
}

export function onMessages(state: IrcState): void {
  state.client.on('privmsg', privmsg, state);
  state.client.on('action', action, state);
  state.client.on('notice', notice, state);
}

// module-level, with the state as eventemitter3's context: no closures per connection
function privmsg(this: IrcState, e: IrcEvent): void {
  deliver(this, 'message', e);
}

function action(this: IrcState, e: IrcEvent): void {
  deliver(this, 'me', e);
}

function notice(this: IrcState, e: IrcEvent): void {
  deliver(this, 'notice', e);
}
