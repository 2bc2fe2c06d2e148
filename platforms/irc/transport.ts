// irc-framework's TCP/TLS transport with the core's address guard in the path. A host name is
// resolved by the guard's own `lookup` inside net/tls.connect, so the address checked is the
// address connected to (no window for DNS rebinding), and TLS keeps the name for SNI and
// certificate verification. An IP literal is checked before any socket is made. A refusal
// reaches the client as the socket's error (a HubError with code FORBIDDEN_ADDRESS).
import net from 'node:net';
import tls from 'node:tls';
import NetTransport from 'irc-framework/src/transports/net.js';
import type { AddressGuard } from '../../src/net/address-guard.js';

const SOCK_CONNECTING = 1;

export class GuardedTransport extends NetTransport {
  override connect(): void {
    const options = this.options;
    const guard = options.guard as AddressGuard;
    const host = String(options.host).replace(/^\[|\]$/g, '');
    const port = Number(options.port);
    this.disposeSocket();
    this.requested_disconnect = false;
    this.incoming_buffer = Buffer.alloc(0);
    if (!options.encoding || !this.setEncoding(String(options.encoding))) this.setEncoding('utf8');
    this.state = SOCK_CONNECTING;

    const literal = net.isIP(host) !== 0;
    if (literal) {
      try {
        guard.check(host);
      } catch (err) {
        this.last_socket_error = err as Error;
        process.nextTick(() => this.onSocketClose());
        return;
      }
    }
    const where = literal ? { host, port } : { host, port, lookup: guard.lookup };
    const socket = options.tls
      ? tls.connect({ ...where, servername: literal ? undefined : host, rejectUnauthorized: options.rejectUnauthorized !== false })
      : net.connect(where);
    this.socket = socket;
    this._onSocketCreate(options, socket);
  }
}
