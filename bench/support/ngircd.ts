// The IRC server of the IRC section: the tests' ngircd (test/support/ngircd.ts, on
// test/support/daemon.ts) with limits for many clients from one address. Its listen backlog is 10:
// callers ramp their connects (/work/shared/reference/test-peers.md).
import { DEFAULT_LIMITS, startNgircd as startTestNgircd } from '../../test/support/ngircd.js';

export interface Ngircd {
  host: '127.0.0.1';
  port: number;
  /** the [Limits] settings used, for the report */
  settings: Record<string, string>;
  log(): string;
  stop(): Promise<void>;
  /** ends the server and starts it again on the same port (clients see a disconnect) */
  restart(): Promise<void>;
}

export const NGIRCD_LIMITS: Record<string, string> = {
  ...DEFAULT_LIMITS,
  // long enough that nothing is timed out while the bench's event loops are busy
  PingTimeout: '600',
  PongTimeout: '120',
};

export async function startNgircd(timeoutMs = 5000): Promise<Ngircd> {
  const ircd = await startTestNgircd({ motd: 'bench server', limits: NGIRCD_LIMITS, timeoutMs });
  return { host: ircd.host, port: ircd.port, settings: { ...NGIRCD_LIMITS }, log: ircd.log, stop: ircd.stop, restart: ircd.restart };
}
