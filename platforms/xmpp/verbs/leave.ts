// leave: leaves the MUC room target.id (presence unavailable, with object.content as the status
// when given); done when the room confirms with our own unavailable presence. The room is no
// longer rejoined.
import { xml } from '@xmpp/client';
import { HubError } from '../../../src/errors.js';
import type { ASActivity } from '../../../src/platform/types.js';
import { type XmppState, remember } from '../state.js';
import { jidOf, xmlText } from '../translate.js';
import { write } from './write.js';

export async function leave(state: XmppState, activity: ASActivity): Promise<ASActivity> {
  const roomJid = jidOf(activity.target, 'target.id', { bare: true }).toString();
  const status = activity.object?.content ? xmlText(String(activity.object.content), 'object.content') : '';
  const wanted = state.wanted.delete(roomJid);
  state.seen.delete(roomJid);
  if (wanted) remember(state);
  const r = state.rooms.get(roomJid);
  if (!r || !state.online) {
    if (wanted) return activity; // not in it right now (offline, reconnecting): forgetting it is enough
    throw new HubError('BAD_USER_INPUT', `not in the room ${roomJid}`, { field: 'target.id' });
  }
  const answered = state.pending.wait(`leave ${roomJid}`, `the leave of ${roomJid}`);
  await write(state, xml('presence', { to: `${roomJid}/${r.nick}`, type: 'unavailable' }, ...(status ? [xml('status', {}, status)] : [])));
  await answered;
  return activity;
}
