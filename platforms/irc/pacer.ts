// Flood control: once registered, every outbound line (verbs, irc-framework's own JOIN/PART/NICK,
// PONG, QUIT) passes a token bucket in front of `client.connection.write`, in order: a burst of
// FLOOD_BURST lines goes out at once, then one line per FLOOD_INTERVAL_MS, the usual client
// default (a small burst, then a couple of lines a second) that keeps a client clear of "Excess
// Flood" kills on common servers (not measured here: ngircd, as the tests run it, does not kill a
// flooding client). The registration lines (CAP, PASS, NICK, USER) go out unpaced: a handful the
// server expects together.
// A write's callback says whether the line was really handed to the socket: it gets no argument
// once the socket took the line, and a NotWritten error when it did not — the connection closed
// while the line was still queued here, or the socket was destroyed before flushing it. So a
// `send` resolves only for lines that left, and rejects for the others (verbs/write.ts). A lost
// connection fails what is still queued and refills the bucket for the next connection.
import type { Client } from 'irc-framework';

/** Lines that may go out at once. */
export const FLOOD_BURST = 5;
/** After the burst, one line per this many ms (2 lines/s). */
export const FLOOD_INTERVAL_MS = 500;

/** A line the connection closed before writing. */
export class NotWritten extends Error {
  constructor(readonly line: string, cause?: Error) {
    super(cause ? `the socket closed before the line was flushed: ${cause.message}` : 'the connection closed before the line was written');
  }
}

export type WriteDone = (err?: NotWritten) => void;

export function paceWrites(client: Client, registered: () => boolean): void {
  const connection = client.connection;
  const write = connection.write.bind(connection);
  const queue: Array<{ line: string; done?: WriteDone }> = [];
  let tokens = FLOOD_BURST;
  let last = Date.now();
  let timer: NodeJS.Timeout | undefined;

  /** Hands one line to the socket; irc-framework calls back without an error even when it did not
   *  write (not connected), so that case is told apart here. */
  const writeNow = (line: string, done?: WriteDone): boolean => {
    if (!connection.connected || connection.requested_disconnect || connection.transport?.isConnected() === false) {
      if (done) process.nextTick(done, new NotWritten(line));
      return false;
    }
    return write(line, (err?: Error | null) => done?.(err ? new NotWritten(line, err) : undefined));
  };

  const drain = (): void => {
    timer = undefined;
    const now = Date.now();
    tokens = Math.min(FLOOD_BURST, tokens + (now - last) / FLOOD_INTERVAL_MS);
    last = now;
    while (queue.length && tokens >= 1) {
      tokens--;
      const { line, done } = queue.shift()!;
      writeNow(line, done);
    }
    if (queue.length) timer = setTimeout(drain, Math.ceil((1 - tokens) * FLOOD_INTERVAL_MS));
  };

  connection.write = (line: string, done?: WriteDone): boolean => {
    if (!registered() && !queue.length) return writeNow(line, done);
    queue.push({ line, done });
    if (!timer) drain();
    return true;
  };

  client.on('socket close', () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    for (const { line, done } of queue.splice(0)) done?.(new NotWritten(line));
    tokens = FLOOD_BURST;
    last = Date.now();
  });
}
