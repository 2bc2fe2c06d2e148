// Verbs of a persistent platform that wait for the server's answer, keyed by what answers them
// ("join #chan", "nick", "join room@muc" ...): a verb waits, the inbound handler that sees the
// answer resolves (or rejects) every verb waiting on its key, and a verb that hears nothing in
// time fails with TIMEOUT. Shared by every protocol whose replies come back as separate events.
import { HubError } from '../errors.js';

/** How long a verb waits for the server's answer before it fails with TIMEOUT. */
export const ANSWER_TIMEOUT_MS = 15_000;

interface Waiter {
  resolve(value: unknown): void;
  reject(err: HubError): void;
  timer: NodeJS.Timeout;
}

export class Pending {
  /** only while something waits: most connections wait on nothing most of the time, and
   *  thousands of empty Maps are not free */
  private waiting: Map<string, Waiter[]> | undefined;

  /** `server` names the other side in a timeout's message ("the IRC server") */
  constructor(private readonly server: string) {}

  wait<T>(key: string, what: string, ms = ANSWER_TIMEOUT_MS): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const waiter: Waiter = {
        resolve: resolve as (v: unknown) => void,
        reject,
        timer: setTimeout(() => {
          this.remove(key, waiter);
          reject(new HubError('TIMEOUT', `${this.server} did not answer ${what} within ${ms / 1000} s`));
        }, ms),
      };
      this.waiting ??= new Map();
      const list = this.waiting.get(key) ?? [];
      list.push(waiter);
      this.waiting.set(key, list);
    });
  }

  has(key: string): boolean {
    return (this.waiting?.get(key)?.length ?? 0) > 0;
  }

  /** Answers every verb waiting on key; false when none was. */
  resolve(key: string, value?: unknown): boolean {
    return this.settle(key, (w) => w.resolve(value));
  }

  reject(key: string, err: HubError): boolean {
    return this.settle(key, (w) => w.reject(err));
  }

  rejectAll(err: HubError): void {
    if (this.waiting) for (const key of [...this.waiting.keys()]) this.reject(key, err);
  }

  private settle(key: string, fn: (w: Waiter) => void): boolean {
    const list = this.waiting?.get(key);
    if (!list?.length) return false;
    this.drop(key);
    for (const w of list) {
      clearTimeout(w.timer);
      fn(w);
    }
    return true;
  }

  private drop(key: string): void {
    this.waiting?.delete(key);
    if (this.waiting?.size === 0) this.waiting = undefined;
  }

  private remove(key: string, waiter: Waiter): void {
    const list = this.waiting?.get(key);
    if (!list) return;
    const i = list.indexOf(waiter);
    if (i >= 0) list.splice(i, 1);
    if (!list.length) this.drop(key);
  }
}
