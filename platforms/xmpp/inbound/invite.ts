// Room invitations → `invite` (ActivityStreams' Invite; API.md has no word for it, so the
// vocabulary's style: actor = who invites (its occupant JID when the room hides real JIDs), target = us, object = the room with the reason as
// content and its password when the invitation carries one). Both kinds: mediated by the room
// (XEP-0045 §7.8.2, from the room, the inviter inside) and direct (XEP-0249, from the inviter).
import type { Element } from '@xmpp/xml';
import type { XmppState } from '../state.js';
import { inbound, occupant, person, room, tryJid } from '../translate.js';
import { NS_MUC_USER } from './occupant.js';

const NS_DIRECT = 'jabber:x:conference';

export function onInvites(state: XmppState): void {
  state.client.on('stanza', (el: Element) => {
    if (!el.is('message') || el.attrs.type === 'error') return;
    const from = tryJid(el.attrs.from);
    if (!from) return;
    const mediated = el.getChild('x', NS_MUC_USER);
    const invite = mediated?.getChild('invite');
    if (invite) {
      const by = tryJid(invite.attrs.from);
      const reason = invite.getChildText('reason') ?? '';
      const password = mediated?.getChildText('password') ?? '';
      const roomJid = from.bare().toString();
      // a semi-anonymous room names the inviter by its occupant JID, not its real one
      const inviter = !by ? room(roomJid) : by.bare().toString() === roomJid && by.resource ? occupant(roomJid, by.resource) : person(by.bare().toString());
      state.ctx.emit(inbound('invite', inviter, person(state.bare), {
        ...room(roomJid), ...(reason ? { content: reason } : {}), ...(password ? { password } : {}),
      }));
      return;
    }
    const direct = el.getChild('x', NS_DIRECT);
    const roomJid = tryJid(direct?.attrs.jid);
    if (direct && roomJid && !roomJid.resource) {
      const reason = String(direct.attrs.reason ?? '');
      const password = String(direct.attrs.password ?? '');
      state.ctx.emit(inbound('invite', person(from.bare().toString()), person(state.bare), {
        ...room(roomJid.toString()), ...(reason ? { content: reason } : {}), ...(password ? { password } : {}),
      }));
    }
  });
}
