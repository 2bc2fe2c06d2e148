// send: a message to a channel (`#chan@server`) or a person (`nick@server`). object.type
// `message` is a PRIVMSG, `me` a CTCP ACTION, `notice` a NOTICE; as in Sockethub, a message whose
// content starts with "/me " or "/notice " is sent as such. Each line of the content is one
// message, and a line longer than the protocol allows is split at the limit on a UTF-8 (and
// grapheme) boundary. Done when every line is written to the connection.
import { lineBreak } from 'irc-framework/src/linebreak.js';
import { HubError } from '../../../src/errors.js';
import type { ASActivity } from '../../../src/platform/types.js';
import type { IrcState } from '../state.js';
import { recipientOf } from '../translate.js';
import { writeLines } from './write.js';

/** RFC 1459: 512 bytes with CR LF. */
const LINE_BYTES = 510;
/** What the server prepends when relaying (`:nick!user@host `): the longest user and host we allow for. */
const RELAY_PREFIX_SLACK = 1 + 1 + 11 + 1 + 63 + 1;

export function splitForWire(state: IrcState, command: string, to: string, text: string, action: boolean): string[] {
  const overhead = RELAY_PREFIX_SLACK + Buffer.byteLength(state.nick) + command.length + 1 + Buffer.byteLength(to) + 2 + (action ? 9 : 0);
  const bytes = LINE_BYTES - overhead;
  const out: string[] = [];
  for (const line of text.split(/\r\n|\r|\n/)) {
    if (!line) continue;
    for (const block of lineBreak(line, { bytes, allowBreakingWords: true, allowBreakingGraphemes: true })) {
      out.push(`${command} ${to} :${action ? `\x01ACTION ${block}\x01` : block}`);
    }
  }
  return out;
}

export async function send(state: IrcState, activity: ASActivity): Promise<ASActivity> {
  const to = recipientOf(activity.target, state.server);
  let kind = String(activity.object?.type ?? 'message');
  let text = String(activity.object?.content ?? '');
  if (kind === 'message' && /^\/me /.test(text)) [kind, text] = ['me', text.slice(4)];
  else if (kind === 'message' && /^\/notice /.test(text)) [kind, text] = ['notice', text.slice(8)];
  if (text.includes('\0')) throw new HubError('BAD_USER_INPUT', 'object.content must not contain NUL', { field: 'object.content' });
  const lines = splitForWire(state, kind === 'notice' ? 'NOTICE' : 'PRIVMSG', to, text, kind === 'me');
  if (!lines.length) throw new HubError('BAD_USER_INPUT', 'object.content has nothing to send', { field: 'object.content' });
  await writeLines(state, lines);
  return activity;
}
