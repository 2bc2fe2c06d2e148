// Runs `count` calls of `one`, `inFlight` at a time (connects ramped so a server's listen backlog
// is not overrun), timing each; stops early after repeated failures and says how many succeeded.
/** a ramp stops after this many failures: the rest would fail the same way */
export const STOP_AFTER_FAILURES = 20;

export async function ramp(count: number, inFlight: number, one: (i: number) => Promise<void>, stopOnError = STOP_AFTER_FAILURES): Promise<{ connected: number; failed: number; firstError?: string; ms: number; lat: number[] }> {
  const t0 = performance.now();
  let next = 0;
  let failed = 0;
  let firstError: string | undefined;
  const lat: number[] = [];
  const lane = async () => {
    while (next < count && failed < stopOnError) {
      const i = next++;
      const t = performance.now();
      try {
        await one(i);
        lat.push(performance.now() - t);
      } catch (err) {
        failed++;
        firstError ??= `session ${i}: ${(err as Error).message}`;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(inFlight, count) }, lane));
  return { connected: lat.length, failed, ...(firstError ? { firstError } : {}), ms: performance.now() - t0, lat };
}
