// One blocking Redis connection reading many session streams at once (XREAD over up to
// MAX_KEYS keys). When the set of keys changes, the pending XREAD is cut short with CLIENT UNBLOCK.
import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';
import { readLoop } from './read-loop.js';

export const MAX_KEYS_PER_READER = 1000;

export interface StreamTarget {
  readonly key: string;
  lastId: string;
  deliver(entries: [string, string[]][]): void;
}

export class StreamReader {
  private readonly targets = new Map<string, StreamTarget>();
  /** the client id of the connection, for CLIENT UNBLOCK; undefined while it is not known */
  private clientId: number | undefined;
  /** counts the asks for the client id: only the latest one's answer is kept */
  private idAsked = 0;
  private running = true;
  private blocked = false;
  /** the key set changed while an XREAD was pending with the old one */
  private dirty = false;
  private wake: (() => void) | undefined;
  private readonly loop: Promise<void>;

  constructor(
    private readonly conn: Redis,
    private readonly control: Redis,
    private readonly log: Logger,
  ) {
    // After a reconnect, ioredis sends a pending XREAD again without failing it: the read then
    // blocks under the new connection's client id, and an UNBLOCK naming the old one would miss
    // it for good. So the id is asked for again on every (re)connection, as soon as the socket is
    // up: CLIENT is among the commands ioredis lets through while the connection is still being
    // set up, so the answer comes before the re-sent XREAD blocks.
    conn.on('connect', () => void this.askClientId().catch(() => {}));
    this.loop = readLoop({
      running: () => this.running,
      readOnce: () => this.readOnce(),
      onFailure: () => { this.clientId = undefined; },
      log,
      failure: 'reading event streams failed; retrying',
      retryMs: 250,
    });
  }

  get size(): number {
    return this.targets.size;
  }

  add(target: StreamTarget): void {
    this.targets.set(target.key, target);
    this.interrupt();
  }

  /** Stops reading the target's key, unless another target took the key since. */
  remove(target: StreamTarget): void {
    if (this.targets.get(target.key) === target) this.targets.delete(target.key);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.interrupt();
    this.conn.disconnect();
    await this.loop.catch(() => {});
  }

  private async askClientId(): Promise<void> {
    const ask = ++this.idAsked;
    this.clientId = undefined;
    const id = Number(await this.conn.client('ID'));
    if (ask === this.idAsked) this.clientId = id;
  }

  private async readOnce(): Promise<void> {
    if (this.targets.size === 0) {
      await new Promise<void>((r) => (this.wake = r));
      return;
    }
    if (this.clientId === undefined) await this.askClientId();
    const issued = new Map(this.targets);
    this.blocked = true;
    this.dirty = false;
    let res: [string, [string, string[]][]][] | null;
    try {
      res = (await this.conn.xread(
        'COUNT', 1000, 'BLOCK', 10_000, 'STREAMS',
        ...issued.keys(), ...[...issued.values()].map((t) => t.lastId),
      )) as typeof res;
    } finally {
      this.blocked = false;
    }
    for (const [key, entries] of res ?? []) {
      const t = issued.get(key);
      // Only to the target the read was issued for: if its key was dropped meanwhile, a target
      // added since for the same key starts further on, and must not go back to these entries.
      if (!t || this.targets.get(key) !== t || entries.length === 0) continue;
      t.lastId = (entries[entries.length - 1] as [string, string[]])[0];
      t.deliver(entries);
    }
  }

  private interrupt(): void {
    if (this.wake) {
      const w = this.wake;
      this.wake = undefined;
      w();
    } else if (this.blocked) {
      this.dirty = true;
      this.kick();
    }
  }

  // An UNBLOCK can reach Redis before the XREAD it targets; repeat it until the read returns
  // (waiting, after a reconnect, for the new connection's client id).
  private kick(): void {
    if (!this.blocked || !this.dirty) return;
    if (this.clientId !== undefined) this.control.client('UNBLOCK', this.clientId).catch(() => {});
    setTimeout(() => this.kick(), 20).unref();
  }
}
