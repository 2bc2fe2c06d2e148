// requestFriend: asks target.id (a bare JID) to share its presence (presence type subscribe);
// the contact is added to our roster as pending. Their answer arrives as `make-friend` (accepted)
// or `remove-friend` (refused). Done when written.
import { xml } from '@xmpp/client';
import type { ASActivity } from '../../../src/platform/types.js';
import type { XmppState } from '../state.js';
import { jidOf, xmlText } from '../translate.js';
import { write } from './write.js';

export async function requestFriend(state: XmppState, activity: ASActivity): Promise<ASActivity> {
  const to = jidOf(activity.target, 'target.id', { bare: true }).toString();
  const note = activity.object?.content ? xmlText(String(activity.object.content), 'object.content') : '';
  await write(state, xml('presence', { to, type: 'subscribe' }, ...(note ? [xml('status', {}, note)] : [])));
  return activity;
}
