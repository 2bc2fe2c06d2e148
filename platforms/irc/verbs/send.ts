// send: a message to a channel (`#chan@server`) or a person (`nick@server`). object.type
// `message` is a PRIVMSG, `me` a CTCP ACTION, `notice` a NOTICE; as in Sockethub, a message whose
// content starts with "/me " or "/notice " is sent as such. Each line of the content is one
// message, and a line longer than the protocol allows is split at the limit on a UTF-8 (and
// grapheme) boundary. Done when every line is written to the connection (failed "not delivered"
// when the connection closed first). Each line written is also an inbound `send` activity of ours
// to every session attached to the connection: the server's echo when it has echo-message
// (inbound/message.ts), else emitted here as the line leaves, so that sessions sharing the
// connection see what one of them said, each exactly once.
import { lineBreak } from 'irc-framework/src/linebreak.js';
import { HubError } from '../../../src/errors.js';
import type { ASActivity } from '../../../src/platform/types.js';
import type { IrcState } from '../state.js';
import { inbound, isChannel, person, recipientOf, room } from '../translate.js';
import { writeLines } from './write.js';

/** RFC 1459: 512 bytes with CR LF. */
const LINE_BYTES = 510;
/** What the server prepends when relaying (`:nick!user@host `): the longest user and host we allow for. */
const RELAY_PREFIX_SLACK = 1 + 1 + 11 + 1 + 63 + 1;

/** The text as the messages it goes out in: one per line, each within the protocol limit. */
export function splitForWire(state: IrcState, command: string, to: string, text: string, action: boolean): string[] {
  const overhead = RELAY_PREFIX_SLACK + Buffer.byteLength(state.nick) + command.length + 1 + Buffer.byteLength(to) + 2 + (action ? 9 : 0);
  const bytes = LINE_BYTES - overhead;
  const out: string[] = [];
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (!line) continue;
    for (const block of lineBreak(line, { bytes, allowBreakingWords: true, allowBreakingGraphemes: true })) out.push(block);
  }
  return out;
}

function wire(command: string, to: string, block: string, action: boolean): string {
  return `${command} ${to} :${action ? `\x01ACTION ${block}\x01` : block}`;
}

export async function send(state: IrcState, activity: ASActivity): Promise<ASActivity> {
  const to = recipientOf(activity.target, state.server);
  let kind = String(activity.object?.type ?? 'message');
  let text = String(activity.object?.content ?? '');
  if (kind === 'message' && /^\/me /.test(text)) [kind, text] = ['me', text.slice(4)];
  else if (kind === 'message' && /^\/notice /.test(text)) [kind, text] = ['notice', text.slice(8)];
  if (text.includes('\0')) throw new HubError('BAD_USER_INPUT', 'object.content must not contain NUL', { field: 'object.content' });
  const command = kind === 'notice' ? 'NOTICE' : 'PRIVMSG';
  const blocks = splitForWire(state, command, to, text, kind === 'me');
  if (!blocks.length) throw new HubError('BAD_USER_INPUT', 'object.content has nothing to send', { field: 'object.content' });
  const echoLocally = !state.client.network.cap.isEnabled('echo-message');
  const target = isChannel(to) ? room(to, state.server) : person(to, state.server);
  await writeLines(state, blocks.map((b) => wire(command, to, b, kind === 'me')), (i) => {
    if (echoLocally) state.ctx.emit(inbound('send', person(state.nick, state.server), target, { type: kind, content: blocks[i]! }));
  });
  return activity;
}
