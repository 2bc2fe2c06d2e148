// Splits what arrives on an IRC socket into lines (CRLF or LF, empty lines dropped), for the raw
// test client and the scripted server alike. `after` runs once per chunk, after its lines.
import type { Socket } from 'node:net';

export function onIrcLines(socket: Socket, each: (line: string) => void, after?: () => void): void {
  let buf = '';
  socket.on('data', (d: string | Buffer) => {
    buf += d.toString();
    let i: number;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i).replace(/\r$/, '');
      buf = buf.slice(i + 1);
      if (line) each(line);
    }
    after?.();
  });
}
