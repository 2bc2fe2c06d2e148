// A TCP or TLS connection that passes the address guard, for every platform that opens a socket
// (IRC, XMPP, …). A host name is resolved by the guard's own `lookup` inside net/tls.connect, so
// the address checked is the address connected to (no window for DNS rebinding), and TLS keeps the
// name for SNI and certificate verification. An IP literal is checked before any socket is made:
// a refusal throws (HubError FORBIDDEN_ADDRESS) instead of returning a socket.
import net from 'node:net';
import tls from 'node:tls';
import type { AddressGuard } from './address-guard.js';

export interface GuardedConnectOptions {
  host: string;
  port: number;
  tls?: boolean;
  /** verify the server's certificate (default true) */
  rejectUnauthorized?: boolean;
}

export function connectGuarded(guard: AddressGuard, opts: GuardedConnectOptions): net.Socket {
  const host = opts.host.replace(/^\[|\]$/g, '');
  const literal = net.isIP(host) !== 0;
  if (literal) guard.check(host);
  const where = literal ? { host, port: opts.port } : { host, port: opts.port, lookup: guard.lookup };
  return opts.tls
    ? tls.connect({ ...where, servername: literal ? undefined : host, rejectUnauthorized: opts.rejectUnauthorized !== false })
    : net.connect(where);
}
