// Many subscribers of one subscription, each on its own WebSocket, spoken to in raw
// graphql-transport-ws with the `ws` package. It counts `next` frames without parsing them
// whole: it reads the cursor (to catch repeats and reordering) and the `published` time (for
// latency) by byte search, so a thousand sockets cost the client as little as possible.
// It checks what a client must see: every frame in order, no errors, no early close.
import WebSocket from 'ws';

const SUB_ID = '1';
const NEXT_PREFIX = Buffer.from(`{"id":"${SUB_ID}","type":"next","payload":`);
const ERRORS_AT_PAYLOAD = Buffer.from('{"errors"');
const CURSOR_KEY = Buffer.from('"cursor":"');
const PUBLISHED_KEY = Buffer.from('"published":"');
const ISO_LENGTH = 24;
const QUOTE = 0x22;

export interface SubscriberOptions {
  url: string;
  /** connection_init payload */
  init: Record<string, unknown>;
  query: string;
  count: number;
  /** sockets opened at once while connecting */
  openConcurrency?: number;
}

class Sub {
  received = 0;
  /** the numbers of the previous cursor */
  last: number[] = [];
  readonly socket: WebSocket;

  constructor(socket: WebSocket) {
    this.socket = socket;
  }
}

export class Subscribers {
  /** `next` frames received since the last reset */
  received = 0;
  bytes = 0;
  /** frames whose cursor was not after the previous one of the same subscriber */
  outOfOrder = 0;
  /** frames whose cursor was not a sequence of numbers, so their order could not be checked */
  unorderable = 0;
  /** `next` frames carrying GraphQL errors, and error/complete messages */
  errors: string[] = [];
  /** close codes seen before close() was called */
  closes = new Map<number, number>();
  sample: string | undefined;
  private latencies: number[] = [];
  private recordLatency = false;
  private target = Infinity;
  private reached: ((ok: boolean) => void) | undefined;
  /** sockets acknowledged and not closed */
  private live = 0;
  private closing = false;
  private readonly subs: Sub[] = [];

  private constructor(private readonly opts: SubscriberOptions) {}

  static async open(opts: SubscriberOptions): Promise<Subscribers> {
    const set = new Subscribers(opts);
    const concurrency = opts.openConcurrency ?? 50;
    let next = 0;
    const lane = async () => {
      while (next < opts.count) {
        next++;
        set.subs.push(await set.connect());
      }
    };
    try {
      await Promise.all(Array.from({ length: Math.min(concurrency, opts.count) }, lane));
    } catch (err) {
      await set.close();
      throw err;
    }
    return set;
  }

  get size(): number {
    return this.subs.length;
  }

  /** Clears the counts and latencies (each subscriber's order tracking carries on). */
  reset(opts: { latency: boolean }): void {
    this.received = 0;
    this.bytes = 0;
    for (const s of this.subs) s.received = 0;
    this.latencies = [];
    this.recordLatency = opts.latency;
  }

  takeLatencies(): number[] {
    const l = this.latencies;
    this.latencies = [];
    return l;
  }

  /** Subscribers that have received fewer than n frames since the last reset. */
  behind(n: number): number {
    let k = 0;
    for (const s of this.subs) if (s.received < n) k++;
    return k;
  }

  /** Resolves true once `total` frames arrived since the last reset; false at the timeout or when a socket closed early. */
  waitForTotal(total: number, timeoutMs: number): Promise<boolean> {
    if (this.received >= total) return Promise.resolve(true);
    if (this.live === 0) return Promise.resolve(false);
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.settle(false), timeoutMs);
      this.target = total;
      this.reached = (ok) => {
        clearTimeout(timer);
        resolve(ok);
      };
    });
  }

  private settle(ok: boolean): void {
    const done = this.reached;
    this.reached = undefined;
    this.target = Infinity;
    done?.(ok);
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(
      this.subs.map(
        (s) =>
          new Promise<void>((resolve) => {
            if (s.socket.readyState === WebSocket.CLOSED) return resolve();
            const t = setTimeout(() => { s.socket.terminate(); resolve(); }, 2000);
            s.socket.once('close', () => { clearTimeout(t); resolve(); });
            s.socket.close(1000);
          }),
      ),
    );
  }

  private connect(): Promise<Sub> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(this.opts.url, 'graphql-transport-ws', { perMessageDeflate: false });
      const sub = new Sub(socket);
      let started = false;
      const fail = (why: string) => {
        socket.terminate();
        reject(new Error(`a subscriber could not start: ${why}`));
      };
      const timer = setTimeout(() => fail('no connection_ack within 10 s'), 10_000);
      socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: this.opts.init })));
      socket.on('error', (err) => (started ? this.errors.push(`socket error: ${err.message}`) : fail(err.message)));
      socket.on('close', (code) => {
        if (started) this.live--;
        if (this.closing) return;
        this.closes.set(code, (this.closes.get(code) ?? 0) + 1);
        this.settle(false); // a subscriber is gone: the expected total cannot arrive
      });
      socket.on('message', (data: Buffer) => {
        if (data.length > NEXT_PREFIX.length && data.compare(NEXT_PREFIX, 0, NEXT_PREFIX.length, 0, NEXT_PREFIX.length) === 0) {
          this.onNext(sub, data);
          return;
        }
        const msg = JSON.parse(data.toString('utf8')) as { type: string; payload?: unknown };
        if (msg.type === 'connection_ack') {
          clearTimeout(timer);
          started = true;
          this.live++;
          socket.send(JSON.stringify({ id: SUB_ID, type: 'subscribe', payload: { query: this.opts.query } }));
          resolve(sub);
        } else if (msg.type === 'ping') socket.send('{"type":"pong"}');
        else if (msg.type !== 'pong') this.errors.push(data.toString('utf8').slice(0, 300));
      });
    });
  }

  private onNext(sub: Sub, data: Buffer): void {
    sub.received++;
    this.received++;
    this.bytes += data.length;
    this.sample ??= data.toString('utf8');
    if (data.compare(ERRORS_AT_PAYLOAD, 0, ERRORS_AT_PAYLOAD.length, NEXT_PREFIX.length, NEXT_PREFIX.length + ERRORS_AT_PAYLOAD.length) === 0) {
      this.errors.push(data.toString('utf8').slice(0, 300));
    }
    this.checkOrder(sub, data);
    if (this.recordLatency) {
      const at = data.indexOf(PUBLISHED_KEY);
      if (at >= 0) {
        const start = at + PUBLISHED_KEY.length;
        this.latencies.push(Date.now() - Date.parse(data.toString('latin1', start, start + ISO_LENGTH)));
      }
    }
    if (this.received >= this.target) this.settle(true);
  }

  /**
   * Cursors are opaque to clients, but both servers write them as numbers joined by separators
   * (`<ms>-<seq>`, `<ms>-<seq>:<index>`): compared as tuples, each must come after the
   * subscriber's previous one. A cursor of another shape is counted as unorderable.
   */
  private checkOrder(sub: Sub, data: Buffer): void {
    const at = data.indexOf(CURSOR_KEY);
    if (at < 0) {
      this.unorderable++;
      return;
    }
    const start = at + CURSOR_KEY.length;
    const end = data.indexOf(QUOTE, start);
    const cur = numbersOf(data, start, end);
    if (!cur) {
      this.unorderable++;
      return;
    }
    if (compareTuples(cur, sub.last) <= 0) this.outOfOrder++;
    sub.last = cur;
  }
}

const DIGIT_0 = 0x30;
const DIGIT_9 = 0x39;
const SEPARATORS = new Set([0x2d, 0x3a, 0x2e, 0x5f]); // - : . _

/** The numbers in bytes [start, end), or undefined when anything but digits and separators appears. */
function numbersOf(data: Buffer, start: number, end: number): number[] | undefined {
  const out: number[] = [];
  let n = -1;
  for (let i = start; i < end; i++) {
    const c = data[i] as number;
    if (c >= DIGIT_0 && c <= DIGIT_9) n = (n < 0 ? 0 : n * 10) + (c - DIGIT_0);
    else if (SEPARATORS.has(c) && n >= 0) {
      out.push(n);
      n = -1;
    } else return undefined;
  }
  if (n < 0) return undefined;
  out.push(n);
  return out;
}

function compareTuples(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const d = (a[i] ?? -1) - (b[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}
