// An outside IRC user for tests, speaking raw IRC over a plain socket (deliberately not
// irc-framework, so it checks the platform rather than sharing its parser): registers with
// NICK/USER, answers PING, and keeps every line it received.
import { onIrcLines } from './irc-lines.js';
import { createConnection, type Socket } from 'node:net';

export type LineMatch = RegExp | ((line: string) => boolean);

export interface WaitOptions {
  /** only lines received after this call (default: lines already received count too) */
  newOnly?: boolean;
  /** only lines from this index of `lines` on (overrides newOnly) */
  from?: number;
}

export interface RawIrc {
  nick: string;
  socket: Socket;
  /** every line received, without the CRLF, in order */
  lines: string[];
  /** whether the connection has closed */
  closed(): boolean;
  /** sends one line (CRLF added) */
  send(line: string): void;
  /** resolves with the first matching line; rejects on timeout (default 5000 ms) or when the connection closes first */
  waitFor(match: LineMatch, timeoutMs?: number, opts?: WaitOptions): Promise<string>;
  /** JOIN and wait until the server confirms it (our own JOIN echoed back) */
  join(channel: string): Promise<void>;
  privmsg(target: string, text: string): void;
  /** QUIT and wait (bounded) until the server closes the connection */
  quit(message?: string): Promise<void>;
  /** drops the connection without QUIT */
  close(): void;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export async function connectRawIrc(host: string, port: number, nick: string, timeoutMs = 5000, password?: string): Promise<RawIrc> {
  const socket = createConnection({ host, port });
  socket.setEncoding('utf8');
  socket.setNoDelay(true);
  const lines: string[] = [];
  let isClosed = false;
  const listeners = new Set<() => void>();
  const notify = () => { for (const l of [...listeners]) l(); };

  onIrcLines(socket, (line) => {
    lines.push(line);
    const ping = /^(?::\S+ )?PING (.*)$/.exec(line);
    if (ping && !socket.destroyed) socket.write(`PONG ${ping[1]}\r\n`);
  }, notify);
  socket.on('error', () => { /* shown as a close to waiters */ });
  socket.on('close', () => { isClosed = true; notify(); });

  const send = (line: string) => { socket.write(`${line}\r\n`); };

  const waitFor = (match: LineMatch, ms = 5000, opts: WaitOptions = {}) => {
    const test = typeof match === 'function' ? match : (l: string) => match.test(l);
    let from = opts.from ?? (opts.newOnly ? lines.length : 0);
    return new Promise<string>((resolve, reject) => {
      const check = () => {
        for (; from < lines.length; from++) {
          const line = lines[from]!;
          if (test(line)) { done(); resolve(line); return; }
        }
        if (isClosed) { done(); reject(new Error(`${nick}: connection closed while waiting for ${String(match)}; last lines:\n${lines.slice(-15).join('\n')}`)); }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${nick}: no line matching ${String(match)} within ${ms} ms; last lines:\n${lines.slice(-15).join('\n')}`));
      }, ms);
      const done = () => { clearTimeout(timer); listeners.delete(check); };
      listeners.add(check);
      check();
    });
  };

  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', (err) => reject(new Error(`${nick}: cannot connect to ${host}:${port}: ${err.message}`)));
  });
  if (password) send(`PASS ${password}`);
  send(`NICK ${nick}`);
  send(`USER ${nick.slice(0, 10)} 0 * :${nick} (raw test client)`);
  try {
    // 001 welcome, or a registration failure (432/433 nick errors, ERROR)
    const reply = await waitFor(/^:\S+ (001|43[1-6]) |^ERROR /, timeoutMs);
    if (!/^:\S+ 001 /.test(reply)) throw new Error(`${nick}: registration refused: ${reply}`);
  } catch (err) {
    socket.destroy();
    throw err;
  }

  return {
    nick,
    socket,
    lines,
    closed: () => isClosed,
    send,
    waitFor,
    async join(channel) {
      const from = lines.length;
      send(`JOIN ${channel}`);
      await waitFor(new RegExp(`^:${escapeRe(nick)}!\\S+ JOIN :?${escapeRe(channel)}$`, 'i'), 5000, { from });
    },
    privmsg: (target, text) => send(`PRIVMSG ${target} :${text}`),
    async quit(message = 'bye') {
      if (isClosed) return;
      send(`QUIT :${message}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => { socket.destroy(); resolve(); }, 2000);
        const onClose = () => { if (isClosed) { clearTimeout(timer); listeners.delete(onClose); resolve(); } };
        listeners.add(onClose);
        onClose();
      });
    },
    close: () => { socket.destroy(); },
  };
}
