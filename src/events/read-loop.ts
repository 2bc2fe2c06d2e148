// The loop around a blocking read (XREAD ... BLOCK on a connection of its own), shared by the
// event stream readers and the job results reader: a read that fails is logged and tried again
// after a pause, until the owner stops (stopping disconnects, so that a pending read fails).
import type { Logger } from '../log.js';

export interface ReadLoop {
  /** false once the owner stopped: the loop ends, and a failed read is not reported */
  running(): boolean;
  /** one blocking read, and the handling of what it returned */
  readOnce(): Promise<void>;
  /** after a failed read, before the pause */
  onFailure?(): void;
  log: Logger;
  /** the warning logged for a failed read */
  failure: string;
  retryMs: number;
}

export async function readLoop(loop: ReadLoop): Promise<void> {
  while (loop.running()) {
    try {
      await loop.readOnce();
    } catch (err) {
      loop.onFailure?.();
      if (!loop.running()) return;
      loop.log.warn({ err: (err as Error).message }, loop.failure);
      await new Promise((r) => setTimeout(r, loop.retryMs));
    }
  }
}
