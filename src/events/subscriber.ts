// One subscriber of the activities subscription, as the hub sees it: where its events go and
// how it is ended. Two kinds: a graphql-ws socket that receives pre-serialized frames (the fast
// path: an event is executed once per group and the same bytes go to every socket), and a
// generic async iterator for other transports (SSE over HTTP), executed by graphql-js per event.
import type { WebSocket } from 'ws';
import { HubError } from '../errors.js';
import type { ActivitySource } from './stream-entry.js';
import { eventsDelivered, slowConsumers } from '../metrics.js';

export interface Subscriber {
  /** false when the subscriber was cut off and should be dropped */
  send(source: ActivitySource, payloadJson: () => string): boolean;
  end(error?: HubError): void;
  readonly ended: boolean;
  /** undefined when the subscriber can take more now; else a promise of when it can (replays pace themselves on it) */
  writable(): Promise<void> | undefined;
}

export const SLOW_CONSUMER_CODE = 1013;

/** Writes graphql-transport-ws `next` frames straight to the socket; ends it past its buffer. */
export class SocketSubscriber implements Subscriber {
  ended = false;
  private readonly prefix: string;
  private onEnd: (() => void) | undefined;

  constructor(private readonly socket: WebSocket, id: string, private readonly maxBuffered: number) {
    this.prefix = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
  }

  /** Called once, when the hub ends this subscriber (graphql-ws then completes the operation). */
  whenEnded(cb: () => void): void {
    this.onEnd = cb;
  }

  send(_source: ActivitySource, payloadJson: () => string): boolean {
    if (this.ended) return false;
    if (this.socket.readyState !== this.socket.OPEN) {
      this.end();
      return false;
    }
    // Checked before every frame, not only after the burst: one XREAD result (up to 1000 entries
    // of up to 256 activities) is written in one go, and would otherwise all pile up in memory
    // first. bufferedAmount counts the frames corked in this tick too, so those go to the kernel
    // first: what is judged is what is left once it took what it would, not the burst's size.
    if (this.socket.bufferedAmount > this.maxBuffered) {
      this.flush();
      if (this.socket.bufferedAmount > this.maxBuffered) {
        this.cutOff();
        return false;
      }
    }
    this.cork();
    this.socket.send(this.prefix + payloadJson() + '}');
    eventsDelivered.inc();
    return true;
  }

  writable(): Promise<void> | undefined {
    // a replay writes as fast as the client reads, never faster: it waits below half the limit
    const full = () => !this.ended && this.socket.bufferedAmount > this.maxBuffered / 2;
    if (!full()) return undefined;
    this.flush();
    return (async () => {
      while (full()) await new Promise((r) => setTimeout(r, 5));
    })();
  }

  /** What is still queued once a burst was handed to the kernel is the consumer's backlog. */
  private checkBacklog(): void {
    if (!this.ended && this.socket.bufferedAmount > this.maxBuffered) this.cutOff();
  }

  private cutOff(): void {
    slowConsumers.inc();
    this.socket.close(SLOW_CONSUMER_CODE, 'slow consumer');
    this.end();
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    this.onEnd?.();
  }

  // Frames written in one tick (a batch read from Redis) leave in one write, not one syscall each.
  private corked = false;
  private get raw(): { cork(): void; uncork(): void } | undefined {
    return (this.socket as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
  }

  private cork(): void {
    if (this.corked) return;
    const raw = this.raw;
    this.corked = true;
    raw?.cork();
    setImmediate(() => {
      this.corked = false;
      raw?.uncork();
      this.checkBacklog();
    });
  }

  /** Hands what was corked so far to the kernel, and goes on corking the rest of the tick. */
  private flush(): void {
    if (!this.corked) return;
    const raw = this.raw;
    raw?.uncork();
    raw?.cork();
  }
}

/** An async iterator of activity sources with a bounded queue. */
export class QueueSubscriber implements Subscriber, AsyncIterableIterator<ActivitySource> {
  ended = false;
  private readonly queue: ActivitySource[] = [];
  private waiting: ((r: IteratorResult<ActivitySource>) => void) | undefined;
  private failure: HubError | undefined;
  onReturn: (() => void) | undefined;

  constructor(private readonly maxQueued: number) {}

  writable(): Promise<void> | undefined {
    const full = () => !this.ended && this.queue.length > this.maxQueued / 2;
    if (!full()) return undefined;
    return (async () => {
      while (full()) await new Promise((r) => setTimeout(r, 5));
    })();
  }

  send(source: ActivitySource): boolean {
    if (this.ended) return false;
    if (this.waiting) {
      const w = this.waiting;
      this.waiting = undefined;
      w({ value: source, done: false });
    } else if (this.queue.length >= this.maxQueued) {
      slowConsumers.inc();
      this.end(new HubError('RATE_LIMITED', 'slow consumer: the subscriber fell too far behind'));
      return false;
    } else this.queue.push(source);
    eventsDelivered.inc();
    return true;
  }

  end(error?: HubError): void {
    if (this.ended) return;
    this.ended = true;
    this.failure = error;
    if (this.waiting && this.queue.length === 0) {
      const w = this.waiting;
      this.waiting = undefined;
      if (error) w(Promise.reject(error) as never);
      else w({ value: undefined, done: true });
    }
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<ActivitySource>> {
    const item = this.queue.shift();
    if (item) return Promise.resolve({ value: item, done: false });
    if (this.ended) return this.failure ? Promise.reject(this.failure) : Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  return(): Promise<IteratorResult<ActivitySource>> {
    this.ended = true;
    this.queue.length = 0;
    this.onReturn?.();
    return Promise.resolve({ value: undefined, done: true });
  }
}
