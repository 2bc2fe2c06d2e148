// The body of one event-stream entry, and the value the GraphQL Activity type reads.
import type { ASActivity } from '../platform/types.js';

/** Sealed into the stream: the activity and which connection (platform + actor) it came from. */
export interface StreamBody {
  a: ASActivity;
  /** the actor id of the connection */
  c: string;
}

/** What Activity fields resolve from: the document plus its cursor, when it was streamed. */
export interface ActivitySource {
  doc: ASActivity;
  cursor: string | null;
}

export const CURSOR_PATTERN = /^\d{1,20}-\d{1,20}$/;
