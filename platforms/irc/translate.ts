// IRC <-> ActivityStreams. Ids: a person is `nick@server`, a channel `#chan@server`, where server
// is the credentials' `server` exactly as given (not the name the IRC server calls itself); the
// server itself is `{id: server, type: "service"}`.
import { HubError } from '../../src/errors.js';
import type { ASActivity, ASObject } from '../../src/platform/types.js';

/** RFC 2812 channel prefixes; no space, comma, BEL, NUL, CR or LF inside. */
const CHANNEL = /^[#&+!][^\s,\x07\0]{1,199}$/;
/** Letters, digits and the RFC 2812 specials; servers may allow more length than 9. */
const NICK = /^[A-Za-z[\]\\`_^{|}][A-Za-z0-9[\]\\`_^{|}-]{0,63}$/;

export const CHANNEL_PATTERN = CHANNEL.source;
export const NICK_PATTERN = NICK.source;

export function isChannel(name: string): boolean {
  return CHANNEL.test(name);
}

export function person(nick: string, server: string): ASObject {
  return { id: `${nick}@${server}`, type: 'person', name: nick };
}

export function room(channel: string, server: string): ASObject {
  return { id: `${channel}@${server}`, type: 'room', name: channel };
}

export function service(server: string): ASObject {
  return { id: server, type: 'service', name: server };
}

/** What an inbound activity takes from its protocol line: irc-framework's `time` (the IRCv3
 *  server-time, when the server sent one) and `tags` (with message-tags). */
export interface Line {
  time?: number;
  tags?: unknown;
}

/** An inbound activity: `published` is the line's server-time, and `tags` the line's IRCv3 tags
 *  as received (on every kind of event: join, part, quit, kick, nick, topic, mode, message …),
 *  when it had any. */
export function inbound(type: string, actor: ASObject, target?: ASObject, object?: ASObject, from?: Line): ASActivity {
  const tags = tagged(from?.tags).tags;
  return {
    type,
    actor,
    ...(target ? { target } : {}),
    ...(object ? { object } : {}),
    ...(from?.time ? { published: new Date(from.time).toISOString() } : {}),
    ...(tags ? { tags } : {}),
  };
}

/** IRCv3 message tags of an inbound line (when the server offers `message-tags`) for its
 *  activity's object: `id` is the server's `msgid`, `tags` every tag as received (time, msgid,
 *  account, client `+` tags …). Empty when the line had none. */
export function tagged(tags: unknown): { id?: string; tags?: Record<string, string> } {
  if (!tags || typeof tags !== 'object') return {};
  const all: Record<string, string> = {};
  for (const [k, v] of Object.entries(tags as Record<string, unknown>)) all[k] = v === true || v === undefined ? '' : String(v);
  if (!Object.keys(all).length) return {};
  return { ...(all.msgid ? { id: all.msgid } : {}), tags: all };
}

/** Splits `name@server`, refusing another server's ids (this connection only reaches its own). */
function local(id: unknown, server: string, field: string): string {
  if (typeof id !== 'string' || !id) throw new HubError('BAD_USER_INPUT', `${field} is required`, { field });
  const at = id.lastIndexOf('@');
  const name = at > 0 ? id.slice(0, at) : '';
  if (!name || id.slice(at + 1) !== server) {
    throw new HubError('BAD_USER_INPUT', `${field} "${id}" must be written name@${server} (this connection's server)`, { field });
  }
  return name;
}

/** The channel named by `#chan@server`. */
export function channelOf(obj: ASObject | undefined, server: string, field = 'target.id'): string {
  const name = local(obj?.id, server, field);
  if (!CHANNEL.test(name)) throw new HubError('BAD_USER_INPUT', `${field}: "${name}" is not an IRC channel name`, { field });
  return name;
}

/** The nick named by `nick@server`. */
export function nickOf(obj: ASObject | undefined, server: string, field = 'target.id'): string {
  const name = local(obj?.id, server, field);
  if (!NICK.test(name)) throw new HubError('BAD_USER_INPUT', `${field}: "${name}" is not a valid IRC nick`, { field });
  return name;
}

/** A channel or a nick: where a message goes. */
export function recipientOf(obj: ASObject | undefined, server: string, field = 'target.id'): string {
  const name = local(obj?.id, server, field);
  if (!CHANNEL.test(name) && !NICK.test(name)) throw new HubError('BAD_USER_INPUT', `${field}: "${name}" is neither a channel nor a nick`, { field });
  return name;
}

/** Channel membership prefixes, highest first, as roles. */
const ROLES: Record<string, string> = { q: 'owner', a: 'admin', o: 'operator', h: 'halfop', v: 'voice' };
const RANK = ['q', 'a', 'o', 'h', 'v'];

/** The highest role among a member's channel modes ("member" with none). */
export function roleOf(modes: Iterable<string>): string {
  const set = new Set(modes);
  for (const m of RANK) if (set.has(m)) return ROLES[m]!;
  return 'member';
}

export function isRoleMode(mode: string): boolean {
  return mode in ROLES;
}

/** `update` with a presence object: attendance and role changes. */
export function presence(nick: string, channel: string, server: string, modes: Iterable<string>, extra: Record<string, unknown> = {}, from?: Line): ASActivity {
  const list = [...modes];
  return inbound('update', person(nick, server), room(channel, server), { type: 'presence', presence: 'online', role: roleOf(list), modes: list, ...extra }, from);
}
