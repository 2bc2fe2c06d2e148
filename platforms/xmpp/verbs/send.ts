// send: a message to a person (`name@domain`, type chat; to a full JID when the target names a
// resource), to a room we are in or whose target says `type: "room"` (groupchat), or to a room
// occupant (`room@service/nick`, a private message through the room). object.type `message`
// carries object.content as the body; `chat-state` sends only a XEP-0085 chat state
// (object.content one of active, composing, paused, inactive, gone), e.g. "typing".
// A correction (XEP-0308) is a message whose object says which earlier message it replaces:
// `object: {type: "message", content, extra: {replace: "<id of the earlier message>"}}`
// (Sockethub's `"xmpp:replace": {id}` is read too). The stanza id is object.id when the client
// chose one, else a fresh one; the result activity's object carries it, so it can be corrected
// later. Done when the stanza is written; what the server then refuses arrives as an `error`
// activity naming `send`.
import { randomUUID } from 'node:crypto';
import { xml } from '@xmpp/client';
import { HubError } from '../../../src/errors.js';
import type { ASActivity } from '../../../src/platform/types.js';
import type { XmppState } from '../state.js';
import { jidOf, xmlText } from '../translate.js';
import { write } from './write.js';

const NS_CORRECT = 'urn:xmpp:message-correct:0';
const NS_CHATSTATES = 'http://jabber.org/protocol/chatstates';
export const CHAT_STATES = ['active', 'composing', 'paused', 'inactive', 'gone'] as const;
const ID = /^[^\s<>&'"]{1,128}$/;

function replaceOf(object: Record<string, unknown>): string | undefined {
  const sockethub = object['xmpp:replace'] as { id?: unknown } | undefined;
  const id = object.replace ?? sockethub?.id;
  if (id === undefined) return undefined;
  if (typeof id !== 'string' || !ID.test(id)) throw new HubError('BAD_USER_INPUT', 'object.replace must be the id of the message it corrects (1-128 characters, no spaces)', { field: 'object.replace' });
  return id;
}

export async function send(state: XmppState, activity: ASActivity): Promise<ASActivity> {
  const to = jidOf(activity.target, 'target.id');
  const bare = to.bare().toString();
  const object = (activity.object ?? { type: 'message' }) as Record<string, unknown> & { type: string };
  const groupchat = !to.resource && (activity.target?.type === 'room' || state.rooms.has(bare) || state.wanted.has(bare));
  const type = groupchat ? 'groupchat' : 'chat';
  const id = object.id === undefined ? randomUUID() : String(object.id);
  if (!ID.test(id)) throw new HubError('BAD_USER_INPUT', 'object.id must be 1-128 characters without spaces or XML specials', { field: 'object.id' });

  let children;
  if (object.type === 'chat-state') {
    const chatState = String(object.content ?? '');
    if (!(CHAT_STATES as readonly string[]).includes(chatState)) {
      throw new HubError('BAD_USER_INPUT', `a chat-state's object.content is one of ${CHAT_STATES.join(', ')}`, { field: 'object.content' });
    }
    children = [xml(chatState, { xmlns: NS_CHATSTATES })];
  } else if (object.type === 'message') {
    const content = xmlText(String(object.content ?? ''), 'object.content');
    if (!content) throw new HubError('BAD_USER_INPUT', 'object.content has nothing to send', { field: 'object.content' });
    const replace = replaceOf(object);
    children = [
      xml('body', {}, content),
      xml('active', { xmlns: NS_CHATSTATES }),
      ...(replace ? [xml('replace', { xmlns: NS_CORRECT, id: replace })] : []),
    ];
  } else {
    throw new HubError('BAD_USER_INPUT', 'XMPP send takes object.type "message" or "chat-state"', { field: 'object.type' });
  }
  await write(state, xml('message', { type, to: to.toString(), id }, ...children));
  return { ...activity, object: { ...object, id } };
}
