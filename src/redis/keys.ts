// Every Redis key hubgraph writes, in one place. See docs/architecture.md for what each holds.
export class Keys {
  constructor(readonly prefix: string) {}
  /** sha256(token) -> session id */
  token(tokenHash: string): string { return `${this.prefix}:tok:${tokenHash}`; }
  /** hash: wrapped data key, token hash, created */
  session(sid: string): string { return `${this.prefix}:s:${sid}`; }
  /** hash: "<platform>\n<actor>" -> sealed credentials + connection key */
  credentials(sid: string): string { return `${this.prefix}:s:${sid}:creds`; }
  /** set of connection keys the session is attached to */
  attached(sid: string): string { return `${this.prefix}:s:${sid}:conns`; }
  /** the session's inbound event stream; an entry id is a cursor */
  events(sid: string): string { return `${this.prefix}:s:${sid}:events`; }
  /** idempotency record of one client-chosen activity id */
  idempotency(sid: string, idHash: string): string { return `${this.prefix}:s:${sid}:idem:${idHash}`; }
  /** hash: platform, actor of a persistent connection */
  connection(connKey: string): string { return `${this.prefix}:c:${connKey}`; }
  /** set of session ids attached to a connection */
  connectionSessions(connKey: string): string { return `${this.prefix}:c:${connKey}:sessions`; }
  /** worker id owning a connection, with a lease (PX) the owner renews */
  connectionOwner(connKey: string): string { return `${this.prefix}:c:${connKey}:owner`; }
  /** sealed state a connection saved (channels, nick), for whoever reopens it after a crash */
  connectionState(connKey: string): string { return `${this.prefix}:c:${connKey}:state`; }
  /** sorted set: connection key -> when its lease ends (ms); the sweep reads the expired ones */
  leases(): string { return `${this.prefix}:leases`; }
  /** sorted set: worker id -> when its registration ends (ms) unless it renews it */
  workers(): string { return `${this.prefix}:workers`; }
  /** held by the worker cleaning up after a dead one (its queue), with a TTL */
  workerCleanup(workerId: string): string { return `${this.prefix}:workers:${workerId}:cleanup`; }
  /** results of jobs, read by the API process that enqueued them */
  replies(apiId: string): string { return `${this.prefix}:replies:${apiId}`; }
  /** BullMQ prefix */
  get bull(): string { return `${this.prefix}:bull`; }
}

export function platformQueue(platform: string): string { return `platform-${platform}`; }
export function workerQueue(workerId: string): string { return `worker-${workerId}`; }
