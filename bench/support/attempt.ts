// One measurement that may fail without failing the run: its figures, or `{ error }`, and a
// progress line either way (a failed figure is a row that says so, not a missing section).
export type Attempted<T> = T | { error: string };

export async function attempt<T>(progress: (line: string) => void, label: string, run: () => Promise<T>, said?: (value: T) => string): Promise<Attempted<T>> {
  try {
    const value = await run();
    if (said) progress(`  ${label}: ${said(value)}`);
    return value;
  } catch (err) {
    progress(`  ${label} failed: ${(err as Error).message}`);
    return { error: (err as Error).message };
  }
}

/** "N connected in X s, RSS a → b MiB": how a ramp of sessions went. */
export function rampSaid(r: { connected: number; connectMs: number; rssBefore: number; rssAfter: number }): string {
  return `${r.connected} connected in ${(r.connectMs / 1000).toFixed(1)} s, RSS ${(r.rssBefore / 2 ** 20).toFixed(0)} → ${(r.rssAfter / 2 ** 20).toFixed(0)} MiB`;
}

/** Runs every closer, latest first, whatever each one does (closing anyway). */
export async function closeAll(closers: (() => unknown)[]): Promise<void> {
  for (const c of closers.reverse()) {
    try {
      await c();
    } catch {
      // closing anyway
    }
  }
}
