// Room history on a rejoin: ask only for what the session has not seen (XEP-0045 §7.2.15,
// `<history since='…'/>`), and drop what comes twice. Used by every rejoin: after a lost
// connection, after a thread crash (the record is in the saved state), and when our presence
// comes back online after offline.
// For each room the session keeps the second of the last message it saw and a short key of each
// message seen in the last MARGIN_S seconds before it. A rejoin asks for the history since
// (last − MARGIN_S): servers keep whole seconds (Prosody 0.12 stores os.time() and returns
// entries at or after `since`), a message can be stored in one second and reach us in the next,
// and the two clocks may differ a little; asking a little early costs only repeats, and the keys
// drop those. Without the margin a message stored in the same second as the last one seen, but
// not delivered before the crash, would be lost. A live message's time is our clock's, a history
// message's is its delay stamp (the server's).
// The record is saved (ctx.saveState) with every room message, before it is announced: a save at
// most every few seconds was tried and let a thread crash repeat the messages of those seconds.
// It stays small: a second and at most MAX_KEYS short keys per room.
// Limits: a clock ahead of the server's by more than MARGIN_S can lose messages of that window; a
// room busier than MAX_KEYS messages in MARGIN_S seconds can repeat some of them.
import { createHash } from 'node:crypto';
import type { Element } from '@xmpp/xml';
import { type XmppState, remember } from './state.js';

export const MARGIN_S = 2;
const MAX_KEYS = 20;

/** The last message seen in a room: its second (epoch seconds), and [second, key] of those seen in the MARGIN_S seconds before. */
export interface Seen {
  at: number;
  keys: [number, string][];
}

function keyOf(el: Element): string {
  const h = createHash('sha256');
  h.update(`${el.attrs.from ?? ''}\0${el.attrs.id ?? ''}\0${el.getChildText('body') ?? ''}`);
  return h.digest('base64url').slice(0, 10);
}

function secondOf(el: Element): number {
  const stamp = el.getChild('delay', 'urn:xmpp:delay')?.attrs.stamp as string | undefined;
  const t = stamp ? Date.parse(stamp) : NaN;
  return Math.floor((Number.isNaN(t) ? Date.now() : t) / 1000);
}

/** Notes a groupchat message with a body from `room`; false when it is history the session has already seen (not to be announced again). */
export function noteRoomMessage(state: XmppState, room: string, el: Element): boolean {
  const t = secondOf(el);
  const k = keyOf(el);
  const seen = state.seen.get(room);
  const history = !!el.getChild('delay', 'urn:xmpp:delay');
  if (seen && history && t <= seen.at && seen.keys.some(([, key]) => key === k)) return false;
  if (!seen) state.seen.set(room, { at: t, keys: [[t, k]] });
  else {
    seen.at = Math.max(seen.at, t);
    seen.keys.push([t, k]);
    seen.keys = seen.keys.filter(([s]) => s >= seen.at - MARGIN_S).slice(-MAX_KEYS);
  }
  // saved before the message is announced (both go to the supervisor in order): whatever
  // subscribers got, a reopen knows about, so a crash right after cannot bring it back twice
  // (only rooms to be rejoined are saved; join() saves a new one once it is in)
  if (state.wanted.has(room)) remember(state);
  return true;
}

/** A join has completed: a room never seen before counts as seen up to now (so a rejoin does not replay its default history). */
export function noteJoined(state: XmppState, room: string): void {
  if (state.seen.has(room)) return;
  state.seen.set(room, { at: Math.floor(Date.now() / 1000), keys: [] });
  if (state.wanted.has(room)) remember(state);
}

/** The `since` of a rejoin of `room`, or `fallback` (the time the connection was lost) when nothing was seen there. */
export function historySince(state: XmppState, room: string, fallback?: Date): Date | undefined {
  const seen = state.seen.get(room);
  return seen ? new Date((seen.at - MARGIN_S) * 1000) : fallback;
}

/** A seen record from saved state, checked (it comes back from Redis after a crash). */
export function restoreSeen(v: unknown): Seen | undefined {
  const s = v as Partial<Seen> | undefined;
  if (!s || !Number.isSafeInteger(s.at) || !Array.isArray(s.keys)) return undefined;
  const keys = s.keys.filter((e): e is [number, string] => Array.isArray(e) && Number.isSafeInteger(e[0]) && typeof e[1] === 'string').slice(-MAX_KEYS);
  return { at: s.at!, keys };
}
