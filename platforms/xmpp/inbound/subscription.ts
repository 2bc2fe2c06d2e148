// Subscription presence → the friend vocabulary of API.md, actor = the other party, target = us:
// `subscribe` (they ask to see our presence) → `request-friend`; `subscribed` (they accepted
// ours) → `make-friend`; `unsubscribe` / `unsubscribed` (they stopped seeing ours / refused or
// cancelled ours) → `remove-friend` with object `{type: "subscription", content: "unsubscribe"|…}`.
// A nickname the request carries (XEP-0172) is the actor's name.
import type { Element } from '@xmpp/xml';
import type { XmppState } from '../state.js';
import { inbound, person, tryJid } from '../translate.js';

const VERB: Record<string, string> = { subscribe: 'request-friend', subscribed: 'make-friend', unsubscribe: 'remove-friend', unsubscribed: 'remove-friend' };

export function onSubscriptions(state: XmppState): void {
  state.client.on('stanza', (el: Element) => {
    if (!el.is('presence')) return;
    const type = String(el.attrs.type ?? '');
    const verb = VERB[type];
    const from = tryJid(el.attrs.from);
    if (!verb || !from) return;
    const status = el.getChildText('status');
    const nick = el.getChildText('nick', 'http://jabber.org/protocol/nick') || undefined;
    state.ctx.emit(inbound(verb, person(from.bare().toString(), nick), person(state.bare), { type: 'subscription', content: status || type, subscription: type }));
  });
}
