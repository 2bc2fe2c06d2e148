// irc-framework's TCP/TLS transport with the core's address guard in the path: the socket comes
// from connectGuarded (src/net/guarded-socket.ts). A refusal reaches the client as the socket's
// error (a HubError with code FORBIDDEN_ADDRESS).
import NetTransport from 'irc-framework/src/transports/net.js';
import type { AddressGuard } from '../../src/net/address-guard.js';
import { connectGuarded } from '../../src/net/guarded-socket.js';

const SOCK_CONNECTING = 1;

export class GuardedTransport extends NetTransport {
  override connect(): void {
    const options = this.options;
    const guard = options.guard as AddressGuard;
    this.disposeSocket();
    this.requested_disconnect = false;
    this.incoming_buffer = Buffer.alloc(0);
    if (!options.encoding || !this.setEncoding(String(options.encoding))) this.setEncoding('utf8');
    this.state = SOCK_CONNECTING;

    let socket;
    try {
      socket = connectGuarded(guard, {
        host: String(options.host),
        port: Number(options.port),
        tls: Boolean(options.tls),
        rejectUnauthorized: options.rejectUnauthorized !== false,
      });
    } catch (err) {
      this.last_socket_error = err as Error;
      process.nextTick(() => this.onSocketClose());
      return;
    }
    this.socket = socket;
    this._onSocketCreate(options, socket);
  }
}
