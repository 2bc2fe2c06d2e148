// A small scripted IRC server for tests of what ngircd cannot do: IRCv3 CAP negotiation with
// SASL PLAIN (RFC-less but per https://ircv3.net/specs/extensions/sasl-3.1), and lines with
// message tags. A net server on 127.0.0.1 and a free port. It speaks just enough for
// irc-framework to register: CAP LS/REQ/ACK/END, AUTHENTICATE PLAIN (checks base64
// `authzid\0authcid\0password` against `accounts`, with an empty authzid or one equal to authcid;
// 900 + 903 on success, 904 on failure), then NICK/USER → 001-004, 005, 422 (no MOTD), and
// answers PING, JOIN (echo, keys unchecked) and QUIT (ERROR, close). Nothing else; a test writes
// further lines to a client itself (`clients[i].send`).
import { onIrcLines } from './irc-lines.js';
import { createServer, type Server, type Socket, type AddressInfo } from 'node:net';

export interface ScriptedIrcdOptions {
  /** offer `sasl=PLAIN` in CAP LS (default true) */
  sasl?: boolean;
  /** account → password accepted by AUTHENTICATE PLAIN */
  accounts?: Record<string, string>;
  /** other capabilities offered in CAP LS (default: multi-prefix server-time message-tags) */
  caps?: string[];
  /** the server's name (prefix of its lines; default sasl.localhost) */
  name?: string;
}

export interface ScriptedClient {
  socket: Socket;
  nick?: string;
  /** the account it logged in as with SASL, if any */
  account?: string;
  /** capabilities the client asked for and got */
  caps: Set<string>;
  registered: boolean;
  /** every line the client sent, in order */
  lines: string[];
  /** sends one raw line (CRLF added) */
  send(line: string): void;
}

export interface ScriptedIrcd {
  host: '127.0.0.1';
  port: number;
  name: string;
  clients: ScriptedClient[];
  /** account → password, live: a test may change a password between logins */
  accounts: Record<string, string>;
  /** every AUTHENTICATE attempt: the account tried and whether it passed */
  attempts: { account: string; ok: boolean }[];
  /** drops every client connection without a word (a lost connection, as the clients see it) */
  dropClients(): void;
  stop(): Promise<void>;
}

export async function startScriptedIrcd(opts: ScriptedIrcdOptions = {}): Promise<ScriptedIrcd> {
  const name = opts.name ?? 'sasl.localhost';
  const offerSasl = opts.sasl ?? true;
  const accounts: Record<string, string> = { ...opts.accounts };
  const caps = [...(opts.caps ?? ['multi-prefix', 'server-time', 'message-tags']), ...(offerSasl ? ['sasl=PLAIN'] : [])];
  const capNames = new Set(caps.map((c) => c.split('=')[0]!));
  const clients: ScriptedClient[] = [];
  const attempts: ScriptedIrcd['attempts'] = [];
  const sockets = new Set<Socket>();

  function handle(socket: Socket): void {
    sockets.add(socket);
    socket.setEncoding('utf8');
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => { /* the test sees the client's side */ });
    const c: ScriptedClient = {
      socket,
      caps: new Set(),
      registered: false,
      lines: [],
      send: (line) => { if (!socket.destroyed) socket.write(`${line}\r\n`); },
    };
    clients.push(c);
    let negotiating = false;
    let user = false;
    let mechanism: string | undefined;
    const to = () => c.nick ?? '*';
    const numeric = (n: string, rest: string) => c.send(`:${name} ${n} ${to()} ${rest}`);

    function maybeWelcome(): void {
      if (c.registered || negotiating || !c.nick || !user) return;
      c.registered = true;
      numeric('001', `:Welcome to the scripted IRC server ${c.nick}`);
      numeric('002', `:Your host is ${name}`);
      numeric('003', ':This server was created today');
      numeric('004', `${name} scripted-1 i ntklmov`);
      numeric('005', 'CASEMAPPING=rfc1459 CHANTYPES=# CHANMODES=beI,k,l,imnpst PREFIX=(ov)@+ NETWORK=Scripted :are supported by this server');
      numeric('422', ':MOTD File is missing');
    }

    onIrcLines(socket, (line) => {
      c.lines.push(line);
      const [cmd = '', ...params] = line.split(' ');
      const trailing = line.includes(' :') ? line.slice(line.indexOf(' :') + 2) : params[params.length - 1] ?? '';
      switch (cmd.toUpperCase()) {
        case 'CAP': {
          const sub = (params[0] ?? '').toUpperCase();
          if (sub === 'LS') { negotiating = true; c.send(`:${name} CAP * LS :${caps.join(' ')}`); }
          else if (sub === 'REQ') {
            const wanted = trailing.split(' ').filter(Boolean);
            if (wanted.every((w) => capNames.has(w))) {
              for (const w of wanted) c.caps.add(w);
              c.send(`:${name} CAP ${to()} ACK :${wanted.join(' ')}`);
            } else c.send(`:${name} CAP ${to()} NAK :${wanted.join(' ')}`);
          } else if (sub === 'END') { negotiating = false; maybeWelcome(); }
          break;
        }
        case 'AUTHENTICATE': {
          const arg = params[0] ?? '';
          if (!c.caps.has('sasl')) { numeric('904', ':SASL authentication failed'); break; }
          if (!mechanism) {
            if (arg.toUpperCase() === 'PLAIN') { mechanism = 'PLAIN'; c.send('AUTHENTICATE +'); }
            else numeric('908', 'PLAIN :are available SASL mechanisms');
            break;
          }
          mechanism = undefined;
          const [authz = '', authc = '', pass = ''] = Buffer.from(arg === '+' ? '' : arg, 'base64').toString('utf8').split('\0');
          const ok = !!authc && (authz === '' || authz === authc) && Object.hasOwn(accounts, authc) && accounts[authc] === pass;
          attempts.push({ account: authc, ok });
          if (ok) {
            c.account = authc;
            numeric('900', `${to()}!${authc}@127.0.0.1 ${authc} :You are now logged in as ${authc}`);
            numeric('903', ':SASL authentication successful');
          } else numeric('904', ':SASL authentication failed');
          break;
        }
        case 'NICK': c.nick = params[0]?.replace(/^:/, ''); maybeWelcome(); break;
        case 'USER': user = true; maybeWelcome(); break;
        case 'PING': c.send(`:${name} PONG ${name} :${trailing}`); break;
        case 'JOIN': for (const ch of (params[0] ?? '').split(',')) c.send(`:${c.nick}!u@127.0.0.1 JOIN ${ch}`); break;
        case 'QUIT': c.send(`ERROR :Closing link (${trailing})`); socket.end(); break;
        default: break;
      }
    });
  }

  const server: Server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  return {
    host: '127.0.0.1',
    port: (server.address() as AddressInfo).port,
    name,
    clients,
    accounts,
    attempts,
    dropClients() {
      for (const s of sockets) s.destroy();
    },
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
