// Messages between the supervisor (worker main thread) and the sessions a pool thread hosts. Each
// thread has one channel (a MessagePort pair) for all its sessions, not one per session: a port is
// a native handle on both sides (several KiB each, measured), which thousands of connections felt.
// The thread makes the channel when it loads and hands its end over through Piscina's own
// `parentPort` (the pool's 'message' event: ChannelHello); session messages carry the session's
// number (`sid`), which the supervisor gave it in its task.
import type { MessagePort } from 'node:worker_threads';
import type { SerializedError } from '../errors.js';
import type { ASActivity, Verb } from '../platform/types.js';
import type { NetPolicy } from '../net/policy.js';

/** To a thread: for one of its sessions (`sid`), or the heartbeat. */
export type ToSession =
  | { t: 'cmd'; sid: number; id: number; verb: Verb; activity: ASActivity }
  | { t: 'close'; sid: number }
  | { t: 'ping'; n: number };

/** From a thread: about one of its sessions (`sid`), or the heartbeat's answer. */
export type FromSession =
  /** the task began on this thread: from now on, messages for the session go to this channel */
  | { t: 'start'; sid: number }
  | { t: 'ready'; sid: number }
  | { t: 'res'; sid: number; id: number; ok: true; activity?: ASActivity }
  | { t: 'res'; sid: number; id: number; ok: false; error: SerializedError }
  | { t: 'event'; sid: number; activity: ASActivity }
  | { t: 'state'; sid: number; state: unknown }
  | { t: 'pong'; n: number; threadId: number };

/** What a sessions thread posts on its parentPort once, when it loads: the supervisor's end of its channel. */
export interface ChannelHello {
  hubgraphSessionChannel: true;
  threadId: number;
  port: MessagePort;
}

export function isChannelHello(msg: unknown): msg is ChannelHello {
  return typeof msg === 'object' && msg !== null && (msg as Partial<ChannelHello>).hubgraphSessionChannel === true;
}

export interface SessionTask {
  /** the supervisor's number for this hosting of the connection; tags its messages */
  sid: number;
  module: string;
  actor: string;
  credentials: unknown;
  /** what the connection saved before its thread died */
  restored: unknown;
  net: NetPolicy;
}

/** How a session task settled. `crashed`: its own uncaught error; the thread lives on. */
export type SessionEnd =
  | { reason: 'closed' }
  | { reason: 'failed'; error: SerializedError }
  | { reason: 'ended'; message: string }
  | { reason: 'crashed'; error: SerializedError };
