// Messages between the supervisor (worker main thread) and one hosted session, over its MessagePort.
import type { MessagePort } from 'node:worker_threads';
import type { SerializedError } from '../errors.js';
import type { ASActivity, Verb } from '../platform/types.js';
import type { NetPolicy } from '../net/policy.js';

export type ToSession =
  | { t: 'cmd'; id: number; verb: Verb; activity: ASActivity }
  | { t: 'close' }
  | { t: 'ping'; n: number };

export type FromSession =
  | { t: 'ready'; threadId: number }
  | { t: 'res'; id: number; ok: true; activity?: ASActivity }
  | { t: 'res'; id: number; ok: false; error: SerializedError }
  | { t: 'event'; activity: ASActivity }
  | { t: 'state'; state: unknown }
  | { t: 'pong'; n: number; threadId: number };

export interface SessionTask {
  module: string;
  platform: string;
  connKey: string;
  actor: string;
  credentials: unknown;
  /** what the connection saved before its thread died */
  restored: unknown;
  net: NetPolicy;
  port: MessagePort;
}

/** How a session task settled. `crashed`: its own uncaught error; the thread lives on. */
export type SessionEnd =
  | { reason: 'closed' }
  | { reason: 'failed'; error: SerializedError }
  | { reason: 'ended'; message: string }
  | { reason: 'crashed'; error: SerializedError };
