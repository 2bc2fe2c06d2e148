// query: object.type `attendance` (the default, as in Sockethub) answers with the occupants of
// the room target.id: `{type: "attendance", totalItems, members: [{id: room/nick, type: "person",
// name, role, affiliation, presence, jid?}]}`, from the room's own presence when we are in it,
// else from the room's disco#items (names only, when the room lists them). object.type
// `room-info` asks the room's disco#info: `{type: "room-info", name, identities, features,
// fields}` (fields: the room's muc#roominfo form, e.g. description, occupants count).
import { xml } from '@xmpp/client';
import type { Element } from '@xmpp/xml';
import { HubError } from '../../../src/errors.js';
import type { ASActivity } from '../../../src/platform/types.js';
import { type XmppState, connected } from '../state.js';
import { jidOf, occupant } from '../translate.js';
import { request } from './write.js';

const NS_ITEMS = 'http://jabber.org/protocol/disco#items';
const NS_INFO = 'http://jabber.org/protocol/disco#info';

function formFields(form: Element | undefined): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const f of form?.getChildren('field') ?? []) {
    const name = f.attrs.var as string | undefined;
    if (!name || name === 'FORM_TYPE') continue;
    const values = f.getChildren('value').map((v) => v.text());
    out[name] = values.length === 1 ? values[0]! : values;
  }
  return out;
}

export async function query(state: XmppState, activity: ASActivity): Promise<ASActivity> {
  const roomJid = jidOf(activity.target, 'target.id', { bare: true }).toString();
  const kind = activity.object?.type ?? 'attendance';
  connected(state);
  if (kind === 'attendance') {
    const r = state.rooms.get(roomJid);
    if (r?.joined) {
      const members = [...r.occupants.values()].map((o) => occupant(roomJid, o.nick, {
        role: o.role, affiliation: o.affiliation, presence: o.presence, ...(o.jid ? { jid: o.jid } : {}),
      }));
      return { ...activity, object: { type: 'attendance', totalItems: members.length, members } };
    }
    const items = await request(state, xml('iq', { type: 'get', to: roomJid }, xml('query', { xmlns: NS_ITEMS })), `attendance of ${roomJid}`);
    const members = (items.getChild('query', NS_ITEMS)?.getChildren('item') ?? []).map((i) => {
      const nick = String(i.attrs.name ?? String(i.attrs.jid ?? '').split('/')[1] ?? '');
      return occupant(roomJid, nick);
    });
    return { ...activity, object: { type: 'attendance', totalItems: members.length, members } };
  }
  if (kind === 'room-info') {
    const info = await request(state, xml('iq', { type: 'get', to: roomJid }, xml('query', { xmlns: NS_INFO })), `room info of ${roomJid}`);
    const q = info.getChild('query', NS_INFO);
    const identities = (q?.getChildren('identity') ?? []).map((i) => ({ category: i.attrs.category, type: i.attrs.type, ...(i.attrs.name ? { name: i.attrs.name } : {}) }));
    const features = (q?.getChildren('feature') ?? []).map((f) => String(f.attrs.var));
    const fields = formFields(q?.getChild('x', 'jabber:x:data'));
    const name = identities.find((i) => i.category === 'conference')?.name;
    return { ...activity, object: { type: 'room-info', ...(name ? { name } : {}), identities, features, fields } };
  }
  throw new HubError('BAD_USER_INPUT', 'XMPP query takes object.type "attendance" or "room-info"', { field: 'object.type' });
}
