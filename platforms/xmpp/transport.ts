// @xmpp/client's TCP transport with the core's address guard in the path. The client makes its
// socket itself (`new Transport.prototype.Socket()`, then `socket.connect({host, port})`), so
// the guard sits in that socket's connect: an IP literal is checked before anything is opened, a
// host name is resolved by the guard's own `lookup` inside net.connect, so the address checked is
// the address connected to (the rule of src/net/guarded-socket.ts, which cannot be used as is
// because it makes the socket). A refusal reaches the client as the socket's error (a HubError,
// FORBIDDEN_ADDRESS). STARTTLS, when the server offers it, wraps this socket (no second
// connection) and verifies the certificate against the JID's domain. Only `xmpp://host:port`
// services are used: no WebSocket, no SRV lookup (the credentials name the host, or the JID's
// domain is the host). Nagle's algorithm is off (noDelay): a stanza is small and is sent at once,
// rather than waiting up to a delayed-ACK period (about 40 ms) behind the previous one.
import net from 'node:net';
import ConnectionTCP from '@xmpp/tcp/lib/Connection.js';
import type { AddressGuard } from '../../src/net/address-guard.js';

export function guardedTransport(guard: AddressGuard): typeof ConnectionTCP {
  class GuardedSocket extends net.Socket {
    secure = false;

    override connect(...args: unknown[]): this {
      const opts = args[0] as { host?: string; port?: number };
      const host = String(opts?.host ?? '').replace(/^\[|\]$/g, '');
      const port = Number(opts?.port);
      // before connecting: Node keeps it and applies it once connected (a `noDelay` option of
      // connect() is only read by the constructor and net.createConnection)
      this.setNoDelay(true);
      if (net.isIP(host) !== 0) {
        try {
          guard.check(host);
        } catch (err) {
          process.nextTick(() => this.destroy(err as Error));
          return this;
        }
        return super.connect({ host, port });
      }
      return super.connect({ host, port, lookup: guard.lookup as net.LookupFunction });
    }
  }
  class GuardedTCP extends ConnectionTCP {}
  (GuardedTCP.prototype as unknown as { Socket: unknown }).Socket = GuardedSocket;
  return GuardedTCP;
}
