// The interface between the engine and a protocol. A platform folder exports a descriptor from
// `index.ts` (read by API and worker processes) and points at the modules its pool threads load.
import type { JSONSchemaType } from './json-schema.js';
import type { NetPolicy } from '../net/policy.js';
import type { SafeFetcher } from '../net/safe-fetch.js';
import type { SharedCache } from '../net/shared-cache.js';

export const VERBS = ['connect', 'disconnect', 'join', 'leave', 'send', 'update', 'query', 'fetch', 'requestFriend', 'removeFriend', 'makeFriend'] as const;
export type Verb = (typeof VERBS)[number];

/** An ActivityStreams 2.0 object as it travels inside hubgraph. */
export interface ASObject {
  id?: string;
  type: string;
  name?: string;
  content?: string;
  url?: string;
  mediaType?: string;
  summary?: string;
  [property: string]: unknown;
}

/** An ActivityStreams 2.0 activity: `type` is the kebab-case verb ("send", "request-friend"). */
export interface ASActivity {
  '@context'?: unknown;
  id?: string;
  type: string;
  platform?: string;
  actor: ASObject;
  object?: ASObject;
  target?: ASObject;
  published?: string;
  [property: string]: unknown;
}

export interface PlatformDescriptor {
  id: string;
  /** true: connect opens a long-lived connection hosted in the sessions pool */
  persistent: boolean;
  verbs: readonly Verb[];
  /** verbs of a persistent platform that need no connection and run as one-shot jobs */
  statelessVerbs?: readonly Verb[];
  /** JSON Schema of `setCredentials(credentials:)`; null when the platform takes none */
  credentialsSchema: JSONSchemaType | null;
  /** JSON Schema per verb, checked against the whole activity before it is queued */
  verbSchemas?: Partial<Record<Verb, JSONSchemaType>>;
  /** module (URL) exporting `jobs: JobModule`, loaded in the jobs pool */
  jobsModule?: URL;
  /** module (URL) exporting `session: SessionModule`, loaded in the sessions pool */
  sessionModule?: URL;
}

/** Runs in a jobs-pool thread. */
export interface JobContext {
  credentials: unknown;
  net: NetPolicy;
  /** the guarded HTTP client: every platform fetch goes through it */
  fetcher: SafeFetcher;
  /** shared between every thread and process; for public data only */
  cache: SharedCache;
}
export type JobHandler = (activity: ASActivity, ctx: JobContext) => Promise<ASActivity>;
export interface JobModule {
  jobs: Partial<Record<Verb, JobHandler>>;
}

/** Runs in a sessions-pool thread; one per live connection. */
/** Its methods are called on it (`ctx.emit(a)`), never detached: the host implements them as
 *  methods of one object per connection, not as closures. */
export interface SessionContext {
  actor: string;
  credentials: unknown;
  /** outbound connections must pass AddressGuard (src/net/address-guard.ts) under this policy */
  net: NetPolicy;
  /** hand an inbound activity to every session attached to this connection */
  emit(activity: ASActivity): void;
  /** the connection ended for good (the platform gave up); the host forgets it */
  ended(reason: string): void;
  /** what this connection last saved, when the supervisor reopens it after its thread died;
   *  undefined on a first connect */
  restored: unknown;
  /** keeps a small JSON-able state (channels joined, current nick) for such a reopen */
  saveState(state: unknown): void;
}
export interface PlatformSession {
  /** resolves once the protocol connection is usable (registered, online) */
  connect(): Promise<void>;
  /** a verb for this connection; resolves with the result activity when the work is done */
  handle(verb: Verb, activity: ASActivity): Promise<ASActivity | void>;
  /** closes the protocol connection */
  close(): Promise<void>;
}
export interface SessionModule {
  openSession(ctx: SessionContext): PlatformSession;
}

export function definePlatform(descriptor: PlatformDescriptor): PlatformDescriptor {
  return descriptor;
}

export function activityType(verb: Verb): string {
  return verb.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
