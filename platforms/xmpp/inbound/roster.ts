// The roster: read when the connection comes online, each contact announced as an `update`
// with actor = the contact and object `{type: "contact", name?, subscription, ask, groups}`
// (subscription none|to|from|both: whether each side sees the other's presence; ask: our
// request is pending). Roster pushes from our server (a contact added, its subscription changed,
// removed: subscription "remove") arrive the same way, and keep state.roster current.
import { xml } from '@xmpp/client';
import type { Element } from '@xmpp/xml';
import type { Contact, XmppState } from '../state.js';
import { bareOf, inbound, person } from '../translate.js';
import { request } from '../verbs/write.js';

const NS_ROSTER = 'jabber:iq:roster';
const SUBSCRIPTIONS = new Set(['none', 'to', 'from', 'both', 'remove']);

export function contactOf(state: XmppState, jid: string): Contact | undefined {
  return state.roster.get(jid);
}

function read(item: Element): Contact | undefined {
  const jid = typeof item.attrs.jid === 'string' ? bareOf(item.attrs.jid) : '';
  if (!jid) return undefined;
  const sub = String(item.attrs.subscription ?? 'none');
  return {
    jid,
    ...(item.attrs.name ? { name: String(item.attrs.name) } : {}),
    subscription: (SUBSCRIPTIONS.has(sub) ? sub : 'none') as Contact['subscription'],
    ask: item.attrs.ask === 'subscribe',
    groups: item.getChildren('group').map((g) => g.text()).filter(Boolean),
  };
}

function announce(state: XmppState, c: Contact): void {
  state.ctx.emit(inbound('update', person(c.jid, c.name), person(state.bare), {
    type: 'contact',
    ...(c.name ? { name: c.name } : {}),
    subscription: c.subscription,
    ask: c.ask,
    groups: c.groups,
  }));
}

export async function fetchRoster(state: XmppState): Promise<void> {
  const res = await request(state, xml('iq', { type: 'get' }, xml('query', { xmlns: NS_ROSTER })), 'reading the roster');
  const roster = new Map<string, Contact>();
  for (const el of res.getChild('query', NS_ROSTER)?.getChildren('item') ?? []) {
    const c = read(el);
    if (c) roster.set(c.jid, c);
  }
  state.roster = roster;
  for (const c of roster.values()) announce(state, c);
}

export function onRosterPush(state: XmppState): void {
  state.client.iqCallee.set(NS_ROSTER, 'query', (ctx: { stanza: Element; element: Element }) => {
    // only our own server (no from, or our bare JID) may push roster changes (RFC 6121 §2.1.6)
    const from = ctx.stanza.attrs.from as string | undefined;
    if (from && bareOf(from) !== state.bare) return undefined;
    for (const el of ctx.element.getChildren('item')) {
      const c = read(el);
      if (!c) continue;
      if (c.subscription === 'remove') state.roster.delete(c.jid);
      else state.roster.set(c.jid, c);
      announce(state, c);
    }
    return true;
  });
}
