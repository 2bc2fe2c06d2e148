// Reconnect backoff with jitter, for platforms and the supervisor alike: attempt n waits between
// half and all of min(max, first × 2^n), so that many connections lost together do not all
// come back at the same instant, and none waits longer than `max`.
export function backoffDelay(attempt: number, firstMs: number, maxMs: number): number {
  const base = Math.min(maxMs, firstMs * 2 ** attempt);
  return base / 2 + Math.random() * (base / 2);
}

/**
 * The reconnect timer of one connection: each `schedule` waits longer than the last (backoffDelay),
 * until `reset` (the connection came back); `cancel` when the connection is closed for good.
 */
export class RetryTimer {
  private attempt = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly firstMs: number, private readonly maxMs: number) {}

  schedule(run: () => void): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      run();
    }, backoffDelay(this.attempt++, this.firstMs, this.maxMs));
  }

  reset(): void {
    this.attempt = 0;
  }

  cancel(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
