// The body of one event-stream entry, the cursor format, and what the GraphQL Activity type reads.
import type { ASActivity } from '../platform/types.js';

/** Sealed into one stream entry: a batch of activities of one connection, in order. */
export interface StreamEntry {
  /** the actor id of the connection they came from */
  c: string;
  a: ASActivity[];
}

/** What Activity fields resolve from: the document plus its cursor, when it was streamed. */
export interface ActivitySource {
  doc: ASActivity;
  cursor: string | null;
  /** actor id of the connection (for the subscription's actor filter) */
  via?: string;
}

/** A cursor is "<stream entry id>:<position in the entry>". */
export const CURSOR_PATTERN = /^(\d{1,20}-\d{1,20}):(\d{1,6})$/;

/** Both parts of a stream entry id are 64-bit unsigned integers. */
const MAX_ID_PART = 2n ** 64n - 1n;

export interface Cursor {
  entryId: string;
  index: number;
}

export function cursorOf(entryId: string, index: number): string {
  return `${entryId}:${index}`;
}

/** The cursor's parts; undefined when it is not one (or names an entry id Redis would refuse). */
export function parseCursor(cursor: string): Cursor | undefined {
  const m = CURSOR_PATTERN.exec(cursor);
  if (!m) return undefined;
  const entryId = m[1] as string;
  // 20 digits can exceed 64 bits, and Redis refuses such an id
  if (entryId.split('-').some((part) => BigInt(part) > MAX_ID_PART)) return undefined;
  return { entryId, index: Number(m[2]) };
}

/** Orders two stream entry ids ("<ms>-<seq>"): negative, 0 or positive. */
export function compareEntryIds(a: string, b: string): number {
  const [am = '0', as = '0'] = a.split('-');
  const [bm = '0', bs = '0'] = b.split('-');
  return compareBig(am, bm) || compareBig(as, bs);
}

function compareBig(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** True when position `index` of entry `entryId` comes after the cursor. */
export function isAfter(entryId: string, index: number, cursor: Cursor): boolean {
  const d = compareEntryIds(entryId, cursor.entryId);
  return d > 0 || (d === 0 && index > cursor.index);
}
