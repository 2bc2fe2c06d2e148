// One blocking Redis connection reading many session streams at once (XREAD over up to
// MAX_KEYS keys). When the set of keys changes, the pending XREAD is cut short with CLIENT UNBLOCK.
import type { Redis } from 'ioredis';
import type { Logger } from '../log.js';

export const MAX_KEYS_PER_READER = 1000;

export interface StreamTarget {
  readonly key: string;
  lastId: string;
  deliver(entries: [string, string[]][]): void;
}

export class StreamReader {
  private readonly targets = new Map<string, StreamTarget>();
  private clientId: number | undefined;
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
    this.loop = this.run();
  }

  get size(): number {
    return this.targets.size;
  }

  add(target: StreamTarget): void {
    this.targets.set(target.key, target);
    this.interrupt();
  }

  remove(key: string): void {
    this.targets.delete(key);
  }

  async stop(): Promise<void> {
    this.running = false;
    this.interrupt();
    this.conn.disconnect();
    await this.loop.catch(() => {});
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

  // An UNBLOCK can reach Redis before the XREAD it targets; repeat it until the read returns.
  private kick(): void {
    if (!this.blocked || !this.dirty || this.clientId === undefined) return;
    this.control.client('UNBLOCK', this.clientId).catch(() => {});
    setTimeout(() => this.kick(), 20).unref();
  }

  private async run(): Promise<void> {
    while (this.running) {
      if (this.targets.size === 0) {
        await new Promise<void>((r) => (this.wake = r));
        continue;
      }
      try {
        if (this.clientId === undefined) this.clientId = Number(await this.conn.client('ID'));
        const targets = [...this.targets.values()];
        this.blocked = true;
        this.dirty = false;
        const res = (await this.conn.xread(
          'COUNT', 1000, 'BLOCK', 10_000, 'STREAMS',
          ...targets.map((t) => t.key), ...targets.map((t) => t.lastId),
        )) as [string, [string, string[]][]][] | null;
        this.blocked = false;
        if (!res) continue;
        for (const [key, entries] of res) {
          const t = this.targets.get(key);
          if (!t || entries.length === 0) continue;
          t.lastId = (entries[entries.length - 1] as [string, string[]])[0];
          t.deliver(entries);
        }
      } catch (err) {
        this.blocked = false;
        this.clientId = undefined;
        if (!this.running) return;
        this.log.warn({ err: (err as Error).message }, 'reading event streams failed; retrying');
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  }
}
