// The outside user of the IRC section: raw IRC over a TCP socket (no irc-framework), as the
// tests' outside client is. Lines are handed to a listener as they arrive; PING is answered.
import { createConnection, type Socket } from 'node:net';

export class RawIrc {
  private buf = '';
  private listeners = new Set<(line: string) => void>();

  private constructor(readonly nick: string, private readonly sock: Socket) {
    sock.setNoDelay(true);
    sock.setEncoding('utf8');
    sock.on('data', (d: string) => {
      this.buf += d;
      let i: number;
      while ((i = this.buf.indexOf('\r\n')) >= 0) {
        const line = this.buf.slice(0, i);
        this.buf = this.buf.slice(i + 2);
        if (line.startsWith('PING ')) this.send(`PONG ${line.slice(5)}`);
        for (const l of this.listeners) l(line);
      }
    });
  }

  static async connect(host: string, port: number, nick: string): Promise<RawIrc> {
    const sock = createConnection({ host, port });
    await new Promise<void>((resolve, reject) => {
      sock.once('connect', resolve);
      sock.once('error', reject);
    });
    const c = new RawIrc(nick, sock);
    const welcomed = c.waitFor((l) => / 001 /.test(l), 10_000);
    c.send(`NICK ${nick}`);
    c.send(`USER ${nick} 0 * :${nick}`);
    await welcomed;
    return c;
  }

  send(line: string): void {
    this.sock.write(`${line}\r\n`);
  }

  onLine(fn: (line: string) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  waitFor(pred: (line: string) => boolean, timeoutMs = 10_000): Promise<string> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`raw IRC client ${this.nick}: no matching line within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.onLine((l) => {
        if (!pred(l)) return;
        clearTimeout(timer);
        off();
        resolve(l);
      });
    });
  }

  async join(channel: string): Promise<void> {
    const joined = this.waitFor((l) => l.startsWith(`:${this.nick}!`) && / JOIN :?#/.test(l) && l.toLowerCase().endsWith(channel.toLowerCase()));
    this.send(`JOIN ${channel}`);
    await joined;
  }

  close(): void {
    this.sock.destroy();
  }
}
