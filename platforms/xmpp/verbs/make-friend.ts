// makeFriend: accepts target.id as a friend: approves its subscription request (presence type
// subscribed; before any request it pre-approves one) and, unless we already receive its
// presence, asks for it in turn (subscribe), so that both see each other. Sockethub sends only
// `subscribe` here, which never answers the request it is meant to accept. Done when written.
import { xml } from '@xmpp/client';
import type { ASActivity } from '../../../src/platform/types.js';
import type { XmppState } from '../state.js';
import { jidOf } from '../translate.js';
import { contactOf } from '../inbound/roster.js';
import { write } from './write.js';

export async function makeFriend(state: XmppState, activity: ASActivity): Promise<ASActivity> {
  const to = jidOf(activity.target, 'target.id', { bare: true }).toString();
  await write(state, xml('presence', { to, type: 'subscribed' }));
  const known = contactOf(state, to);
  if (!known || (known.subscription !== 'to' && known.subscription !== 'both' && !known.ask)) {
    await write(state, xml('presence', { to, type: 'subscribe' }));
  }
  return activity;
}
