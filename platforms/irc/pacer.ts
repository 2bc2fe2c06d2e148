// Flood control: once registered, every outbound line (verbs, irc-framework's own JOIN/PART/NICK,
// PONG, QUIT) passes a token bucket in front of `client.connection.write`, in order: a burst of
// FLOOD_BURST lines goes out at once, then one line per FLOOD_INTERVAL_MS, the usual client
// default (a small burst, then a couple of lines a second) that keeps a client clear of "Excess
// Flood" kills on common servers (not measured here: ngircd, as the tests run it, does not kill a
// flooding client). The registration lines (CAP, PASS, NICK, USER) go out unpaced: a handful the
// server expects together. A write's callback runs when the line is handed to the socket, so `send`
// resolves when its lines are written. A lost connection drops what is still queued (the callbacks
// run) and refills the bucket for the next connection.
import type { Client } from 'irc-framework';

/** Lines that may go out at once. */
export const FLOOD_BURST = 5;
/** After the burst, one line per this many ms (2 lines/s). */
export const FLOOD_INTERVAL_MS = 500;

export function paceWrites(client: Client, registered: () => boolean): void {
  const connection = client.connection;
  const write = connection.write.bind(connection);
  const queue: Array<{ line: string; done?: () => void }> = [];
  let tokens = FLOOD_BURST;
  let last = Date.now();
  let timer: NodeJS.Timeout | undefined;

  const drain = (): void => {
    timer = undefined;
    const now = Date.now();
    tokens = Math.min(FLOOD_BURST, tokens + (now - last) / FLOOD_INTERVAL_MS);
    last = now;
    while (queue.length && tokens >= 1) {
      tokens--;
      const { line, done } = queue.shift()!;
      write(line, done);
    }
    if (queue.length) timer = setTimeout(drain, Math.ceil((1 - tokens) * FLOOD_INTERVAL_MS));
  };

  connection.write = (line: string, done?: () => void): boolean => {
    if (!registered() && !queue.length) return write(line, done);
    queue.push({ line, done });
    if (!timer) drain();
    return true;
  };

  client.on('socket close', () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    // not connected any more: irc-framework's write just calls each callback
    for (const { line, done } of queue.splice(0)) write(line, done);
    tokens = FLOOD_BURST;
    last = Date.now();
  });
}
