// A real IRC server for tests: ngircd (Debian package, installed by scripts/test.sh) run by
// daemon.ts (foreground child process, config in a fresh temp dir, 127.0.0.1, a free port).
// Config and pitfalls: /work/shared/reference/test-peers.md §2.
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startDaemon } from './daemon.js';

export interface NgircdOptions {
  /** the MOTD line (MotdPhrase) */
  motd?: string;
  /** the server's name, as it appears as the prefix of its messages (default irc.localhost) */
  serverName?: string;
  /** how long to wait for the port to accept connections (default 5000 ms) */
  timeoutMs?: number;
  /** [Limits] settings over DEFAULT_LIMITS (the bench holds thousands of clients) */
  limits?: Record<string, string>;
  /** the server password every client must send (PASS); none by default */
  password?: string;
}

/** The [Limits] of test-peers.md §2: many clients from one address, no flood penalties. */
export const DEFAULT_LIMITS: Readonly<Record<string, string>> = {
  MaxConnections: '0',
  MaxConnectionsIP: '0',
  MaxJoins: '0',
  MaxNickLength: '30',
  MaxPenaltyTime: '0',
  ConnectRetry: '60',
  PingTimeout: '120',
  PongTimeout: '20',
};

export interface Ngircd {
  host: '127.0.0.1';
  port: number;
  /** the server name (prefix of its messages) */
  name: string;
  /** ngircd's stdout/stderr so far (of the current run) */
  log(): string;
  /** ends the server (SIGTERM, then SIGKILL) and removes its temp dir; idempotent */
  stop(): Promise<void>;
  /** ends the server and starts it again on the same port (clients see a disconnect) */
  restart(): Promise<void>;
  /** SIGKILL: a crash, without QUIT/ERROR to the clients; keeps dir and port, so restart() brings it back */
  kill(): Promise<void>;
}

const running = new Set<Ngircd>();
// Debian installs it in /usr/sbin, which is not on a normal user's PATH
const NGIRCD = existsSync('/usr/sbin/ngircd') ? '/usr/sbin/ngircd' : 'ngircd';

function config(dir: string, port: number, name: string, motd: string, limits: Record<string, string>, password?: string): string {
  return `[Global]
	Name = ${name}${password ? `\n\tPassword = ${password}` : ''}
	Info = test ircd
	Listen = 127.0.0.1
	Ports = ${port}
	MotdPhrase = ${motd}
	PidFile = ${dir}/ngircd.pid
	ServerUID = 65534
	ServerGID = 65534
[Limits]
${Object.entries(limits).map(([k, v]) => `\t${k} = ${v}`).join('\n')}
[Options]
	PAM = no
	Ident = no
	DNS = no
	SyslogFacility = local1
	RequireAuthPing = no
	AllowRemoteOper = no
[Operator]
	Name = admin
	Password = adminpass
`;
}

export async function startNgircd(opts: NgircdOptions = {}): Promise<Ngircd> {
  const name = opts.serverName ?? 'irc.localhost';
  const motd = opts.motd ?? 'test server';
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const daemon = await startDaemon({
    label: 'ngircd',
    command: NGIRCD,
    timeoutMs: opts.timeoutMs,
    prepare(dir, port) {
      const confPath = join(dir, 'ngircd.conf');
      writeFileSync(confPath, config(dir, port, name, motd, limits, opts.password));
      return ['-n', '-f', confPath];
    },
  });
  const server: Ngircd = {
    host: daemon.host,
    port: daemon.port,
    name,
    log: daemon.log,
    async stop() {
      running.delete(server);
      await daemon.stop();
    },
    kill: daemon.kill,
    restart: daemon.restart,
  };
  running.add(server);
  return server;
}

/** Stops every ngircd started by this test file that is still running (for afterAll). */
export async function stopAllIrc(): Promise<void> {
  await Promise.all([...running].map((s) => s.stop()));
}
