// A local server process for tests (ngircd, inspircd, …): run in the foreground as a child
// process, with its config in a fresh temp dir, on 127.0.0.1 and a free port; ready once the port
// accepts connections. One lifecycle for every such server: start (retrying if the picked port is
// taken before the server binds it), stop, kill (a crash), restart on the same port.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface DaemonSpec {
  /** for messages: "ngircd" */
  label: string;
  /** the executable */
  command: string;
  /** writes the config for `port` into `dir` and returns the command's arguments */
  prepare(dir: string, port: number): string[];
  /** how long to wait for the port to accept connections (default 5000 ms) */
  timeoutMs?: number;
}

export interface Daemon {
  host: '127.0.0.1';
  port: number;
  /** the temp dir holding config and state */
  dir: string;
  /** the server's stdout/stderr so far (of the current run) */
  log(): string;
  /** ends the server (SIGTERM, then SIGKILL) and removes its temp dir; idempotent */
  stop(): Promise<void>;
  /** SIGKILL: a crash; keeps dir and port, so restart() brings it back */
  kill(): Promise<void>;
  /** ends the server and starts it again on the same port */
  restart(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = createConnection({ host: '127.0.0.1', port });
    sock.once('connect', () => { sock.destroy(); resolve(true); });
    sock.once('error', () => { sock.destroy(); resolve(false); });
  });
}

// a test or bench process that ends without stopping its servers does not leave them behind
const live = new Set<ChildProcess>();
process.once('exit', () => { for (const p of live) p.kill('SIGKILL'); });

export async function exited(proc: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (proc.exitCode !== null || proc.signalCode !== null) return;
  const done = new Promise<void>((r) => proc.once('exit', () => r()));
  proc.kill(signal);
  const timer = signal === 'SIGKILL' ? undefined : setTimeout(() => proc.kill('SIGKILL'), 3000);
  await done;
  clearTimeout(timer);
}

export async function startDaemon(spec: DaemonSpec): Promise<Daemon> {
  const timeoutMs = spec.timeoutMs ?? 5000;
  const dir = mkdtempSync(join(tmpdir(), `hgtest-${spec.label}-`));
  chmodSync(dir, 0o777); // servers started as root may drop to nobody before writing their files
  let proc: ChildProcess | undefined;
  let out = '';
  let removed = false;

  // starts the server on `port`; resolves once the port accepts connections, rejects with its log
  async function launch(port: number): Promise<void> {
    const args = spec.prepare(dir, port);
    out = '';
    const p = spawn(spec.command, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    proc = p;
    live.add(p);
    p.once('exit', () => live.delete(p));
    const keep = (d: string) => { out = (out + d).slice(-100_000); };
    p.stdout!.setEncoding('utf8').on('data', keep);
    p.stderr!.setEncoding('utf8').on('data', keep);
    let spawnError: Error | undefined;
    p.once('error', (err) => { spawnError = err; });
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (spawnError) throw new Error(`${spec.label} could not be started (${spawnError.message}); is the ${spec.label} package installed?`);
      if (p.exitCode !== null || p.signalCode !== null) {
        throw new Error(`${spec.label} exited (${p.exitCode ?? p.signalCode}) before port ${port} accepted connections:\n${out}`);
      }
      if (await accepts(port)) return;
      if (Date.now() > deadline) {
        await exited(p, 'SIGKILL');
        throw new Error(`${spec.label} did not accept connections on port ${port} within ${timeoutMs} ms:\n${out}`);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  const daemon: Daemon = {
    host: '127.0.0.1',
    port: 0,
    dir,
    log: () => out,
    async stop() {
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
        try { await launch(daemon.port); return; } catch (err) {
          if (Date.now() > deadline) throw err;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    },
  };

  // a free port may be taken between picking and binding: try a few
  for (let attempt = 1; ; attempt++) {
    daemon.port = await freePort();
    try {
      await launch(daemon.port);
      return daemon;
    } catch (err) {
      if (attempt >= 3) { await daemon.stop(); throw err; }
    }
  }
}
