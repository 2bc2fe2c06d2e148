// Job results come back on a Redis stream that belongs to the API process that queued the job,
// so a result reaches its waiter whichever worker process (or worker queue) ran it. Results are
// sealed bytes (a 50-item feed is ~90 kB), read as buffers; this process is the stream's only
// reader, so what it has read is trimmed at once rather than kept until MAXLEN pushes it out.
import type { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { HubError, type SerializedError } from '../errors.js';
import { openJsonBytes } from '../crypto/keys.js';
import type { Keys } from '../redis/keys.js';
import type { Logger } from '../log.js';
import type { ASActivity } from '../platform/types.js';
import { readLoop } from '../events/read-loop.js';

export type JobOutcome = { ok: true; activity: ASActivity } | { ok: false; error: SerializedError };

interface Waiter {
  resolve(outcome: JobOutcome): void;
  timer: NodeJS.Timeout;
  dek: Buffer;
  sid: string;
}

export const replyAad = (sid: string, jobId: string) => `reply\n${sid}\n${jobId}`;
export const REPLY_STREAM_TTL_MS = 10 * 60_000;

export class Replies {
  readonly apiId = randomBytes(9).toString('base64url');
  private readonly waiters = new Map<string, Waiter>();
  private lastId = '0-0';
  /** the id the stream was last trimmed to */
  private trimmed = '0-0';
  private running = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly reader: Redis,
    private readonly keys: Keys,
    private readonly log: Logger,
  ) {}

  get streamKey(): string {
    return this.keys.replies(this.apiId);
  }

  start(): void {
    this.running = true;
    this.loop = this.read();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.reader.disconnect();
    await this.loop?.catch(() => {});
    for (const [id, w] of this.waiters) {
      clearTimeout(w.timer);
      w.resolve({ ok: false, error: { code: 'UNAVAILABLE', message: 'the server is shutting down' } });
      this.waiters.delete(id);
    }
  }

  /** Register before the job is queued, so a fast result cannot be missed. */
  wait(jobId: string, sid: string, dek: Buffer, timeoutMs: number): Promise<JobOutcome> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(jobId);
        resolve({ ok: false, error: { code: 'TIMEOUT', message: `no result within ${timeoutMs} ms` } });
      }, timeoutMs);
      this.waiters.set(jobId, { resolve, timer, dek, sid });
    });
  }

  cancel(jobId: string): void {
    const w = this.waiters.get(jobId);
    if (w) clearTimeout(w.timer);
    this.waiters.delete(jobId);
  }

  private read(): Promise<void> {
    return readLoop({
      running: () => this.running,
      readOnce: () => this.readOnce(),
      log: this.log,
      failure: 'reading job results failed; retrying',
      retryMs: 200,
    });
  }

  private async readOnce(): Promise<void> {
    // entries before the last one read are done with: trimmed in the same write as the next XREAD
    const read = this.trimmed === this.lastId
      ? this.reader.xreadBuffer('COUNT', 1000, 'BLOCK', 5000, 'STREAMS', this.streamKey, this.lastId)
      : this.reader
          .pipeline()
          .xtrim(this.streamKey, 'MINID', this.lastId)
          .xreadBuffer('COUNT', 1000, 'BLOCK', 5000, 'STREAMS', this.streamKey, this.lastId)
          .exec()
          .then((r) => {
            this.trimmed = this.lastId;
            const [err, value] = r?.[1] ?? [new Error('no reply to XREAD'), null];
            if (err) throw err;
            return value;
          });
    const res = (await read) as [Buffer, [Buffer, Buffer[]][]][] | null;
    for (const [, entries] of res ?? []) {
      for (const [id, fields] of entries) {
        this.lastId = id.toString();
        this.deliver(fields);
      }
    }
  }

  private deliver(fields: Buffer[]): void {
    let jobId: string | undefined;
    let body: Buffer | undefined;
    for (let i = 0; i + 1 < fields.length; i += 2) {
      const name = fields[i]?.toString();
      if (name === 'j') jobId = fields[i + 1]?.toString();
      else if (name === 'r') body = fields[i + 1];
    }
    if (!jobId || body === undefined) return;
    const w = this.waiters.get(jobId);
    if (!w) return;
    this.waiters.delete(jobId);
    clearTimeout(w.timer);
    try {
      w.resolve(openJsonBytes<JobOutcome>(w.dek, body, replyAad(w.sid, jobId)));
    } catch (err) {
      w.resolve({ ok: false, error: HubError.from(err).toJSON() });
    }
  }
}
