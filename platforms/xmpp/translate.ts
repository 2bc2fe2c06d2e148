// XMPP <-> ActivityStreams. Ids are JIDs: a person is the bare JID (`alice@example.org`), a MUC
// room `room@conference.example.org` (`type: "room"`), a room occupant
// `room@conference.example.org/nick` (`type: "person"`, name = the nick), the server itself
// `{id: domain, type: "service"}`. JIDs are compared in the form @xmpp/jid normalises them to
// (local part and domain lower-cased).
import { jid as parseJid } from '@xmpp/client';
import { HubError } from '../../src/errors.js';
import type { ASActivity, ASObject } from '../../src/platform/types.js';

export interface Jid {
  local: string;
  domain: string;
  resource: string;
  bare(): { toString(): string };
  toString(): string;
}

/** Parses a JID, or undefined when it is not one. */
export function tryJid(text: unknown): Jid | undefined {
  if (typeof text !== 'string' || !text || text.length > 3071 || /[\s\0]/.test(text.split('/')[0] ?? '')) return undefined;
  try {
    const j = parseJid(text) as unknown as Jid;
    return j.domain ? j : undefined;
  } catch {
    return undefined;
  }
}

export function bareOf(text: string): string {
  return tryJid(text)?.bare().toString() ?? text;
}

/** The JID named by `field` of an activity, or BAD_USER_INPUT saying what is wrong. */
export function jidOf(obj: ASObject | undefined, field: string, opts: { bare?: boolean } = {}): Jid {
  const id = obj?.id;
  if (typeof id !== 'string' || !id) throw new HubError('BAD_USER_INPUT', `${field} is required`, { field });
  const j = tryJid(id);
  if (!j) throw new HubError('BAD_USER_INPUT', `${field} "${id}" is not a JID (name@domain)`, { field });
  if (opts.bare && j.resource) throw new HubError('BAD_USER_INPUT', `${field} "${id}" must be a bare JID (no /resource)`, { field });
  return j;
}

export function person(jid: string, name?: string): ASObject {
  const j = tryJid(jid);
  return { id: jid, type: 'person', ...(name ?? j?.local ? { name: name ?? j?.local } : {}) };
}

export function room(jid: string): ASObject {
  return { id: jid, type: 'room', name: tryJid(jid)?.local ?? jid };
}

/** A room occupant: `room@service/nick`. */
export function occupant(roomJid: string, nick: string, extra: Record<string, unknown> = {}): ASObject {
  return { id: `${roomJid}/${nick}`, type: 'person', name: nick, ...extra };
}

export function service(domain: string): ASObject {
  return { id: domain, type: 'service', name: domain };
}

/** An inbound activity; `stamp` is a XEP-0203 delay stamp (history, offline messages). */
export function inbound(type: string, actor: ASObject, target?: ASObject, object?: ASObject, stamp?: string): ASActivity {
  const published = stamp && !Number.isNaN(Date.parse(stamp)) ? new Date(stamp).toISOString() : undefined;
  return {
    type,
    actor,
    ...(target ? { target } : {}),
    ...(object ? { object } : {}),
    ...(published ? { published } : {}),
  };
}

/** Presence `show` values and `offline` (type unavailable): the API's presence words. */
export const PRESENCES = ['online', 'away', 'chat', 'dnd', 'xa', 'offline'] as const;
export type Presence = (typeof PRESENCES)[number];

/** The presence word of an inbound <presence/> (its type and show). */
export function presenceOf(type: string | undefined, show: string | undefined): Presence {
  if (type === 'unavailable') return 'offline';
  return show === 'away' || show === 'chat' || show === 'dnd' || show === 'xa' ? show : 'online';
}

/** Text that goes into XML character data: no NUL or other C0 controls but tab, CR, LF. */
export function xmlText(text: string, field: string): string {
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/.test(text)) {
    throw new HubError('BAD_USER_INPUT', `${field} contains characters XML cannot carry (control characters)`, { field });
  }
  return text;
}
