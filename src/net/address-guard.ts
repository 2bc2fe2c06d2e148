// Decides whether an outbound connection may go to an address. Classification is ipaddr.js's:
// only its "unicast" range (public addresses) passes, so loopback, private, link-local, CGNAT,
// multicast, reserved, unique-local, 6to4/Teredo-embedded and IPv4-mapped private addresses are
// refused unless the policy allows private addresses or lists the CIDR.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import ipaddr from 'ipaddr.js';
import { HubError } from '../errors.js';
import type { NetPolicy } from './policy.js';

export class AddressGuard {
  private readonly allowed: [ipaddr.IPv4 | ipaddr.IPv6, number][];

  constructor(private readonly policy: Pick<NetPolicy, 'allowPrivateAddresses' | 'allowedAddresses'>) {
    this.allowed = policy.allowedAddresses.map((c) => ipaddr.parseCIDR(c));
  }

  /** Throws FORBIDDEN_ADDRESS unless the address may be reached. */
  check(address: string, host = address): void {
    if (this.policy.allowPrivateAddresses) return;
    let addr: ipaddr.IPv4 | ipaddr.IPv6;
    try {
      addr = ipaddr.process(address); // IPv4-mapped IPv6 becomes the IPv4 address it carries
    } catch {
      throw new HubError('FORBIDDEN_ADDRESS', `${host} resolved to "${address}", which is not an IP address`);
    }
    for (const [net, bits] of this.allowed) {
      if (net.kind() === addr.kind() && addr.match([net, bits] as never)) return;
    }
    const range = addr.range();
    if (range !== 'unicast') {
      throw new HubError(
        'FORBIDDEN_ADDRESS',
        `refused to connect to ${host}${host === address ? '' : ` (${address})`}: it is a ${range} address. Only public addresses are reachable unless HUBGRAPH_ALLOW_PRIVATE_ADDRESSES=1 or HUBGRAPH_ALLOWED_ADDRESSES lists it.`,
      );
    }
  }

  isIp(host: string): boolean {
    return ipaddr.isValid(host.replace(/^\[|\]$/g, ''));
  }

  /** A `lookup` for net.connect: resolves, then refuses when any address is not allowed. */
  readonly lookup = (hostname: string, options: object, callback: (err: Error | null, address: string | LookupAddress[], family?: number) => void): void => {
    dnsLookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, []);
      try {
        for (const a of addresses) this.check(a.address, hostname);
      } catch (e) {
        return callback(e as Error, []);
      }
      if ((options as { all?: boolean }).all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(new HubError('PLATFORM_ERROR', `${hostname} has no address`), []);
      callback(null, first.address, first.family);
    });
  };
}
