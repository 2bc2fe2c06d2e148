// A real IRC server for tests: ngircd (Debian package, installed by scripts/test.sh) run in the
// foreground as a child process, with its config in a fresh temp dir, on 127.0.0.1 and a free port.
// Config and pitfalls: /work/shared/reference/test-peers.md §2.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface NgircdOptions {
  /** the MOTD line (MotdPhrase) */
  motd?: string;
  /** the server's name, as it appears as the prefix of its messages (default irc.localhost) */
  serverName?: string;
  /** how long to wait for the port to accept connections (default 5000 ms) */
  timeoutMs?: number;
}

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
    sock.once('connect', () => { sock.destroy(); resolve(true); });
    sock.once('error', () => { sock.destroy(); resolve(false); });
  });
}

function config(dir: string, port: number, name: string, motd: string): string {
  return `[Global]
	Name = ${name}
	Info = test ircd
	Listen = 127.0.0.1
	Ports = ${port}
	MotdPhrase = ${motd}
	PidFile = ${dir}/ngircd.pid
	ServerUID = 65534
	ServerGID = 65534
[Limits]
	MaxConnections = 0
	MaxConnectionsIP = 0
	MaxJoins = 0
	MaxNickLength = 30
	MaxPenaltyTime = 0
	ConnectRetry = 60
	PingTimeout = 120
	PongTimeout = 20
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

async function exited(proc: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const done = new Promise<void>((r) => proc.once('exit', () => r()));
  proc.kill(signal);
  const timer = signal === 'SIGKILL' ? undefined : setTimeout(() => proc.kill('SIGKILL'), 3000);
  await done;
  clearTimeout(timer);
}

export async function startNgircd(opts: NgircdOptions = {}): Promise<Ngircd> {
  const name = opts.serverName ?? 'irc.localhost';
  const motd = opts.motd ?? 'test server';
  const timeoutMs = opts.timeoutMs ?? 5000;
  const dir = mkdtempSync(join(tmpdir(), 'hgtest-ngircd-'));
  chmodSync(dir, 0o777); // ngircd drops to nobody when started as root and writes its pid file after that
  const confPath = join(dir, 'ngircd.conf');
  let proc: ChildProcess | undefined;
  let out = '';
  let removed = false;

  // starts ngircd on `port`; resolves once the port accepts connections, rejects with ngircd's log
  async function launch(port: number): Promise<void> {
    writeFileSync(confPath, config(dir, port, name, motd));
    out = '';
    const p = spawn(NGIRCD, ['-n', '-f', confPath], { stdio: ['ignore', 'pipe', 'pipe'] });
    proc = p;
    p.stdout!.setEncoding('utf8').on('data', (d: string) => { out += d; });
    p.stderr!.setEncoding('utf8').on('data', (d: string) => { out += d; });
    let spawnError: Error | undefined;
    p.once('error', (err) => { spawnError = err; });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (spawnError) throw new Error(`ngircd could not be started (${spawnError.message}); is the ngircd package installed?`);
      if (p.exitCode !== null || p.signalCode !== null) {
        throw new Error(`ngircd exited (${p.exitCode ?? p.signalCode}) before port ${port} accepted connections:\n${out}`);
      }
      if (await accepts(port)) return;
      if (Date.now() > deadline) {
        await exited(p, 'SIGKILL');
        throw new Error(`ngircd did not accept connections on port ${port} within ${timeoutMs} ms:\n${out}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  const server: Ngircd = {
    host: '127.0.0.1',
    port: 0,
    name,
    log: () => out,
    async stop() {
      running.delete(server);
      if (proc) await exited(proc, 'SIGTERM');
      if (!removed) { removed = true; rmSync(dir, { recursive: true, force: true }); }
    },
    async kill() {
      if (proc) await exited(proc, 'SIGKILL');
    },
    async restart() {
      if (removed) throw new Error('restart() after stop(): start a new server instead');
      if (proc) await exited(proc, 'SIGTERM');
      // the port was ours a moment ago; retry briefly in case the kernel has not let go of it yet
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        try { await launch(server.port); return; } catch (err) {
          if (Date.now() > deadline) throw err;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    },
  };
  running.add(server);

  // a free port may be taken between picking and binding: try a few
  for (let attempt = 1; ; attempt++) {
    server.port = await freePort();
    try {
      await launch(server.port);
      return server;
    } catch (err) {
      if (attempt >= 3) { await server.stop(); throw err; }
    }
  }
}

/** Stops every ngircd started by this test file that is still running (for afterAll). */
export async function stopAllIrc(): Promise<void> {
  await Promise.all([...running].map((s) => s.stop()));
}
