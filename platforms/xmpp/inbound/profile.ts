// Contacts' vCards (XEP-0054, with the XEP-0153 photo hash servers put in presence): the first
// presence of a contact, and any presence whose photo hash changed, makes us ask for its vCard;
// what it says arrives as `update`, actor = the contact (name = its nickname), target = us,
// object `{type: "profile", name?, icon?: {type: "Image", mediaType, url: "data:…"}}`. A contact
// without a vCard, or one we may not read, sends nothing. Photos larger than MAX_PHOTO_BYTES are
// left out (the activity says `iconOmitted`), to keep activities small. Rooms' occupants are not
// asked (their vCards are their real JIDs', usually hidden).
import { xml } from '@xmpp/client';
import type { Element } from '@xmpp/xml';
import type { XmppState } from '../state.js';
import { inbound, person, tryJid } from '../translate.js';
import { request } from '../verbs/write.js';
import { isRoomPresence } from './occupant.js';

const NS_VCARD = 'vcard-temp';
const NS_UPDATE = 'vcard-temp:x:update';
export const MAX_PHOTO_BYTES = 64 * 1024;
const MEDIA_TYPE = /^image\/[a-z0-9.+-]{1,64}$/i;

async function fetchProfile(state: XmppState, jid: string): Promise<void> {
  let card: Element | undefined;
  try {
    card = (await request(state, xml('iq', { type: 'get', to: jid }, xml('vCard', { xmlns: NS_VCARD })), `the vCard of ${jid}`)).getChild('vCard', NS_VCARD);
  } catch {
    return; // none, or not ours to read
  }
  if (!card) return;
  const name = card.getChildText('NICKNAME') || card.getChildText('FN') || undefined;
  const photo = card.getChild('PHOTO');
  const type = photo?.getChildText('TYPE') ?? '';
  const data = (photo?.getChildText('BINVAL') ?? '').replace(/\s+/g, '');
  const bytes = Math.floor((data.length * 3) / 4);
  const icon = data && MEDIA_TYPE.test(type) && bytes <= MAX_PHOTO_BYTES ? { type: 'Image', mediaType: type, url: `data:${type};base64,${data}` } : undefined;
  if (!name && !data) return;
  state.ctx.emit(inbound('update', person(jid, name), person(state.bare), {
    type: 'profile',
    ...(name ? { name } : {}),
    ...(icon ? { icon } : {}),
    ...(data && !icon ? { iconOmitted: `the photo (${bytes} bytes, ${type || 'no type'}) is larger than ${MAX_PHOTO_BYTES} bytes or not an image` } : {}),
  }));
}

export function onProfiles(state: XmppState): void {
  /** bare JID → the photo hash last seen ('' for none) */
  const seen = new Map<string, string>();
  state.client.on('online', () => seen.clear());
  state.client.on('stanza', (el: Element) => {
    if (!el.is('presence') || el.attrs.type || isRoomPresence(state, el)) return;
    const from = tryJid(el.attrs.from);
    if (!from?.local) return;
    const bare = from.bare().toString();
    if (bare === state.bare) return;
    const hash = el.getChild('x', NS_UPDATE)?.getChildText('photo') ?? '';
    if (seen.get(bare) === hash) return;
    seen.set(bare, hash);
    void fetchProfile(state, bare);
  });
}
