// A scripted XMPP server for tests that need the server to do something a real one does only
// by chance, such as putting `<enabled/>`, stanzas and an `<r/>` in one TCP write. It speaks just
// enough of RFC 6120 for @xmpp/client: stream headers, SASL ANONYMOUS (the client uses PLAIN
// only over TLS, and SCRAM is more than a script needs; a client without username and password
// logs in anonymously), resource
// binding, and stream management (XEP-0198) `<enable/>`, answered by the test's `onEnable`
// with the raw text to write. What the client sends after binding is kept (`received`), and the
// test can write raw text at any time (`write`). Loopback only, on a free port; `stop` closes
// the server and every connection.
import { once } from 'node:events';
import { createServer, type Server, type Socket } from 'node:net';
import { Parser, type Element } from '@xmpp/xml';

export const NS_SM = 'urn:xmpp:sm:3';

export interface ScriptedConnection {
  /** every element the client sent after its stream header, SASL included */
  received: Element[];
  /** writes raw text to the client, in one socket write */
  write(text: string): void;
  /** the full JID bound for this connection, once bound */
  jid: string;
}

export interface ScriptedXmppOptions {
  domain?: string;
  /** what to write, in one piece, when the client asks for stream management (default: a bare `<enabled/>`) */
  onEnable?: (conn: ScriptedConnection) => string;
}

export interface ScriptedXmpp {
  host: '127.0.0.1';
  port: number;
  domain: string;
  connections: ScriptedConnection[];
  stop(): Promise<void>;
}

export async function startScriptedXmpp(opts: ScriptedXmppOptions = {}): Promise<ScriptedXmpp> {
  const domain = opts.domain ?? 'scripted.test';
  const sockets = new Set<Socket>();
  const connections: ScriptedConnection[] = [];
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.setNoDelay(true);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let authenticated = false;
    const conn: ScriptedConnection = {
      received: [],
      jid: '',
      write: (text) => void socket.write(text),
    };
    connections.push(conn);
    const header = (id: string) =>
      `<?xml version='1.0'?><stream:stream xmlns='jabber:client' xmlns:stream='http://etherx.jabber.org/streams' id='${id}' from='${domain}' version='1.0' xml:lang='en'>`;
    // a stream restart (after SASL success) starts a new XML document: a new parser
    const listen = () => {
      const parser = new Parser();
      socket.removeAllListeners('data');
      socket.on('data', (d) => parser.write(d.toString('utf8')));
      parser.on('start', () => {
        const features = authenticated
          ? `<bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'/><sm xmlns='${NS_SM}'/>`
          : `<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>ANONYMOUS</mechanism></mechanisms>`;
        socket.write(`${header(authenticated ? 's2' : 's1')}<stream:features>${features}</stream:features>`);
      });
      parser.on('element', (el: Element) => {
        conn.received.push(el);
        if (el.is('auth', 'urn:ietf:params:xml:ns:xmpp-sasl')) {
          conn.jid = `anon-${connections.length}@${domain}`;
          authenticated = true;
          socket.write(`<success xmlns='urn:ietf:params:xml:ns:xmpp-sasl'/>`);
          listen();
        } else if (el.is('iq') && el.getChild('bind', 'urn:ietf:params:xml:ns:xmpp-bind')) {
          const resource = el.getChild('bind')?.getChildText('resource') || 'scripted';
          conn.jid = `${conn.jid}/${resource}`;
          socket.write(`<iq type='result' id='${el.attrs.id}'><bind xmlns='urn:ietf:params:xml:ns:xmpp-bind'><jid>${conn.jid}</jid></bind></iq>`);
        } else if (el.is('enable', NS_SM)) {
          socket.write(opts.onEnable ? opts.onEnable(conn) : `<enabled xmlns='${NS_SM}' id='sm-1' resume='true'/>`);
        } else if (el.is('iq') && (el.attrs.type === 'get' || el.attrs.type === 'set')) {
          socket.write(`<iq type='error' id='${el.attrs.id}'><error type='cancel'><service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>`);
        }
      });
      parser.on('end', () => socket.end('</stream:stream>'));
      parser.on('error', () => socket.destroy());
    };
    listen();
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as { port: number }).port;
  return {
    host: '127.0.0.1',
    port,
    domain,
    connections,
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
