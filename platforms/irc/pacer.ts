// Flood control: once registered, every outbound line (verbs, irc-framework's own JOIN/PART/NICK,
// PONG, QUIT) passes a token bucket in front of `client.connection.write`, in order: a burst of
// lines goes out at once, then a steady number of lines per second. HUBGRAPH_IRC_FLOOD sets both,
// with overrides per server name (floodFor); the default, DEFAULT_FLOOD (a burst of 5, then 2
// lines a second), is the usual client default that keeps a client clear of "Excess Flood" kills
// on common servers (not measured here: ngircd, as the tests run it, does not kill a flooding
// client; a large network may want slower, so check its rules before going live). The registration lines (CAP, PASS, NICK, USER) go out unpaced: a handful the
// server expects together.
// A write's callback says whether the line was really handed to the socket: it gets no argument
// once the socket took the line, and a NotWritten error when it did not — the connection closed
// while the line was still queued here, or the socket was destroyed before flushing it. So a
// `send` resolves only for lines that left, and rejects for the others (verbs/write.ts). A lost
// connection fails what is still queued and refills the bucket for the next connection.
import type { Client } from 'irc-framework';
import type { Flood, FloodRates } from '../../src/config.js';

/** A burst of 5 lines, then 2 lines a second: what HUBGRAPH_IRC_FLOOD defaults to, too. */
export const DEFAULT_FLOOD: Flood = { burst: 5, perSecond: 2 };

/** The rate for a server name as written in the credentials (its override, else the default). */
export function floodFor(rates: FloodRates | undefined, server: string): Flood {
  return rates?.servers[server.toLowerCase()] ?? rates?.default ?? DEFAULT_FLOOD;
}

/** A line the connection closed before writing. */
export class NotWritten extends Error {
  constructor(readonly line: string, cause?: Error) {
    super(cause ? `the socket closed before the line was flushed: ${cause.message}` : 'the connection closed before the line was written');
  }
}

export type WriteDone = (err?: NotWritten) => void;

export function paceWrites(client: Client, registered: () => boolean, flood: Flood = DEFAULT_FLOOD): void {
  const connection = client.connection;
  const { burst } = flood;
  const intervalMs = 1000 / flood.perSecond;
  const write = connection.write.bind(connection);
  const queue: Array<{ line: string; done?: WriteDone }> = [];
  let tokens = burst;
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
    tokens = Math.min(burst, tokens + (now - last) / intervalMs);
    last = now;
    while (queue.length && tokens >= 1) {
      tokens--;
      const { line, done } = queue.shift()!;
      writeNow(line, done);
    }
    if (queue.length) timer = setTimeout(drain, Math.ceil((1 - tokens) * intervalMs));
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
    tokens = burst;
    last = Date.now();
  });
}
