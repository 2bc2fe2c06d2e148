// Reconnect backoff with jitter, for platforms and the supervisor alike: attempt n waits between
// half and all of min(max, first × 2^n), so that many connections lost together do not all
// come back at the same instant, and none waits longer than `max`.
export function backoffDelay(attempt: number, firstMs: number, maxMs: number): number {
  const base = Math.min(maxMs, firstMs * 2 ** attempt);
  return base / 2 + Math.random() * (base / 2);
}
