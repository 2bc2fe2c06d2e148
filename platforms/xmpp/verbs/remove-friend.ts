// removeFriend: removes target.id from our roster (an iq with subscription "remove"); the server
// then cancels the subscriptions both ways (unsubscribe and unsubscribed) and tells the contact.
// Done when the server confirms; a contact not in the roster fails with the server's
// item-not-found.
import { xml } from '@xmpp/client';
import type { ASActivity } from '../../../src/platform/types.js';
import type { XmppState } from '../state.js';
import { jidOf } from '../translate.js';
import { request } from './write.js';

export async function removeFriend(state: XmppState, activity: ASActivity): Promise<ASActivity> {
  const jid = jidOf(activity.target, 'target.id', { bare: true }).toString();
  await request(state, xml('iq', { type: 'set' }, xml('query', { xmlns: 'jabber:iq:roster' }, xml('item', { jid, subscription: 'remove' }))), `removing ${jid} from the roster`);
  return activity;
}
