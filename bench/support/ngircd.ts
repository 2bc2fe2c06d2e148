// The IRC server of the IRC section: ngircd (Debian package) in the foreground as a child process,
// its config in a fresh temp dir, on 127.0.0.1 and a free port. The bench's own copy of the
// known-good config (/work/shared/reference/test-peers.md §2), set up for many clients from one
// address: MaxConnections / MaxConnectionsIP / MaxJoins 0 (unlimited), MaxPenaltyTime 0 (no flood
// penalties). Its listen backlog is 10: callers ramp their connects (test-peers.md).
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface Ngircd {
  host: '127.0.0.1';
  port: number;
  pid: number | undefined;
  /** the [Limits] settings used, for the report */
  settings: Record<string, string>;
  log(): string;
  stop(): Promise<void>;
}

const NGIRCD = existsSync('/usr/sbin/ngircd') ? '/usr/sbin/ngircd' : 'ngircd';

export const NGIRCD_LIMITS: Record<string, string> = {
  MaxConnections: '0',
  MaxConnectionsIP: '0',
  MaxJoins: '0',
  MaxNickLength: '30',
  MaxPenaltyTime: '0',
  ConnectRetry: '60',
  // long enough that nothing is timed out while the bench's event loops are busy
  PingTimeout: '600',
  PongTimeout: '120',
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ host: '127.0.0.1', port });
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => {
      sock.destroy();
      resolve(false);
    });
  });
}

function config(dir: string, port: number): string {
  const limits = Object.entries(NGIRCD_LIMITS)
    .map(([k, v]) => `\t${k} = ${v}`)
    .join('\n');
  return `[Global]
	Name = irc.localhost
	Info = bench ircd
	Listen = 127.0.0.1
	Ports = ${port}
	MotdPhrase = bench server
	PidFile = ${dir}/ngircd.pid
	ServerUID = 65534
	ServerGID = 65534
[Limits]
${limits}
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

export async function startNgircd(timeoutMs = 5000): Promise<Ngircd> {
  const dir = mkdtempSync(join(tmpdir(), 'hgbench-ngircd-'));
  chmodSync(dir, 0o777); // ngircd drops to nobody when started as root and writes its pid file after that
  const port = await freePort();
  const confPath = join(dir, 'ngircd.conf');
  writeFileSync(confPath, config(dir, port));
  let out = '';
  const proc: ChildProcess = spawn(NGIRCD, ['-n', '-f', confPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout!.setEncoding('utf8').on('data', (d: string) => (out = (out + d).slice(-100_000)));
  proc.stderr!.setEncoding('utf8').on('data', (d: string) => (out = (out + d).slice(-100_000)));
  let spawnError: Error | undefined;
  proc.once('error', (err) => (spawnError = err));
  const kill = () => proc.kill('SIGKILL');
  process.once('exit', kill);
  const stop = async () => {
    process.off('exit', kill);
    if (proc.exitCode === null && proc.signalCode === null) {
      const done = new Promise<void>((r) => proc.once('exit', () => r()));
      proc.kill('SIGTERM');
      const force = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await done;
      clearTimeout(force);
    }
    rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (spawnError) throw new Error(`ngircd could not be started (${spawnError.message}); install the ngircd package`);
    if (proc.exitCode !== null || proc.signalCode !== null) throw new Error(`ngircd exited before it listened:\n${out}`);
    if (await accepts(port)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`ngircd did not listen on ${port} within ${timeoutMs} ms:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return { host: '127.0.0.1', port, pid: proc.pid, settings: { ...NGIRCD_LIMITS }, log: () => out, stop };
}
