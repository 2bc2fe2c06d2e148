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

export function cursorOf(entryId: string, index: number): string {
  return `${entryId}:${index}`;
}

export function parseCursor(cursor: string): { entryId: string; index: number } | undefined {
  const m = CURSOR_PATTERN.exec(cursor);
  return m ? { entryId: m[1] as string, index: Number(m[2]) } : undefined;
}
