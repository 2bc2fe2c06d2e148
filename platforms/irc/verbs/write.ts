// Writing lines: a verb is "sent" once its lines are handed to the socket.
import { HubError } from '../../../src/errors.js';
import type { IrcState } from '../state.js';

export function connected(state: IrcState): void {
  if (!state.client.connection.connected || !state.registered) {
    throw new HubError('PLATFORM_ERROR', `not connected to ${state.server}`);
  }
}

/** Resolves once every line is written to the socket. */
export function writeLines(state: IrcState, lines: string[]): Promise<void> {
  connected(state);
  return Promise.all(lines.map((line) => new Promise<void>((resolve) => state.client.connection.write(line, resolve)))).then(() => undefined);
}

/** Text that must stay on one protocol line (topics, part messages). */
export function singleLine(text: string, field: string): string {
  if (/[\r\n\0]/.test(text)) throw new HubError('BAD_USER_INPUT', `${field} must be one line (no CR, LF or NUL)`, { field });
  return text;
}
