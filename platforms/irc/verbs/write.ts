// Writing lines: a verb is "sent" once its lines are handed to the socket, and fails when any of
// them was not (the connection closed while they waited in the pacer): never a silent loss.
import { HubError } from '../../../src/errors.js';
import type { IrcState } from '../state.js';
import type { NotWritten, WriteDone } from '../pacer.js';

export function connected(state: IrcState): void {
  if (!state.client.connection.connected || !state.registered) {
    throw new HubError('PLATFORM_ERROR', `not connected to ${state.server}`);
  }
}

/** Resolves once every line is written to the socket; rejects with PLATFORM_ERROR "not delivered"
 *  (saying how many lines did leave) when the connection closed before some were. `written(i)`
 *  runs as each line i is handed to the socket, in order. */
export async function writeLines(state: IrcState, lines: string[], written?: (i: number) => void): Promise<void> {
  connected(state);
  const write = state.client.connection.write as (line: string, done: WriteDone) => boolean;
  const results = await Promise.all(lines.map((line, i) => new Promise<NotWritten | undefined>((resolve) => {
    write(line, (err) => { if (!err) written?.(i); resolve(err); });
  })));
  const lost = results.filter((r) => r !== undefined).length;
  if (!lost) return;
  const partly = lost < lines.length ? ` (${lines.length - lost} of its ${lines.length} lines were written, the rest not)` : '';
  throw new HubError('PLATFORM_ERROR', `not delivered: the connection to ${state.server} closed before the message was written${partly}`, { delivered: lines.length - lost, lines: lines.length });
}

/** Text that must stay on one protocol line (topics, part messages). */
export function singleLine(text: string, field: string): string {
  if (/[\r\n\0]/.test(text)) throw new HubError('BAD_USER_INPUT', `${field} must be one line (no CR, LF or NUL)`, { field });
  return text;
}
