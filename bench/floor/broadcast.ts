// In-process publish/subscribe: every subscriber gets its own async iterator over what is
// published after it subscribed (what a plain graphql-ws server feeds a subscription with).

class Inbox<T> implements AsyncIterableIterator<T> {
  private readonly queue: T[] = [];
  private head = 0;
  private waiting: ((r: IteratorResult<T>) => void) | undefined;
  private done = false;

  constructor(private readonly onEnd: (inbox: Inbox<T>) => void) {}

  push(value: T): void {
    if (this.done) return;
    const w = this.waiting;
    if (w) {
      this.waiting = undefined;
      w({ value, done: false });
    } else this.queue.push(value);
  }

  next(): Promise<IteratorResult<T>> {
    if (this.head < this.queue.length) {
      const value = this.queue[this.head++] as T;
      if (this.head === this.queue.length) {
        this.queue.length = 0;
        this.head = 0;
      }
      return Promise.resolve({ value, done: false });
    }
    if (this.done) return Promise.resolve({ value: undefined, done: true });
    return new Promise((resolve) => (this.waiting = resolve));
  }

  return(): Promise<IteratorResult<T>> {
    this.done = true;
    this.queue.length = 0;
    this.waiting?.({ value: undefined, done: true });
    this.waiting = undefined;
    this.onEnd(this);
    return Promise.resolve({ value: undefined, done: true });
  }

  [Symbol.asyncIterator](): this {
    return this;
  }
}

export class Broadcast<T> {
  private readonly inboxes = new Set<Inbox<T>>();

  get subscribers(): number {
    return this.inboxes.size;
  }

  publish(value: T): void {
    for (const inbox of this.inboxes) inbox.push(value);
  }

  subscribe(): AsyncIterableIterator<T> {
    const inbox = new Inbox<T>((i) => this.inboxes.delete(i));
    this.inboxes.add(inbox);
    return inbox;
  }
}
