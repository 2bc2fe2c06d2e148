// A server under test as a real child process: started with node, ready when its stdout matches
// a pattern, watched for an early exit (a crash is a result, not a hang), stopped with SIGTERM.
import { spawn, type ChildProcess } from 'node:child_process';

export interface ChildServer {
  readonly name: string;
  readonly proc: ChildProcess;
  /** the first capture group of the ready pattern */
  readonly ready: string;
  /** set once the process has exited */
  exited(): { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** the last stderr output, for error messages */
  stderrTail(): string;
  stop(): Promise<void>;
}

export interface ChildOptions {
  name: string;
  nodeArgs: string[];
  env: Record<string, string>;
  readyPattern: RegExp;
  timeoutMs?: number;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const p of live) p.kill('SIGKILL');
});

export async function startChild(opts: ChildOptions): Promise<ChildServer> {
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const proc = spawn(process.execPath, opts.nodeArgs, { env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(proc);
  let stderr = '';
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  proc.stderr?.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-8000)));
  proc.once('exit', (code, signal) => {
    live.delete(proc);
    exit = { code, signal };
  });

  let ready: string;
  try {
    ready = await new Promise<string>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`${opts.name} was not ready within ${timeoutMs} ms:\n${stderr}`)), timeoutMs);
      proc.stdout?.setEncoding('utf8').on('data', (d: string) => {
        out += d;
        const m = opts.readyPattern.exec(out);
        if (!m) return;
        clearTimeout(timer);
        resolve(m[1] ?? m[0]);
      });
      proc.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`${opts.name} exited (${code}) before it was ready:\n${stderr}`));
      });
    });
  } catch (err) {
    proc.kill('SIGKILL');
    throw err;
  }

  return {
    name: opts.name,
    proc,
    ready,
    exited: () => exit,
    stderrTail: () => stderr,
    async stop() {
      if (exit) return;
      const done = new Promise<void>((r) => proc.once('exit', () => r()));
      proc.kill('SIGTERM');
      const force = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      await done;
      clearTimeout(force);
    },
  };
}

/** Throws when the process has died: a measurement against a dead server means nothing. */
export function assertAlive(child: ChildServer): void {
  const exit = child.exited();
  if (!exit) return;
  const hint = exit.code === 0 ? ' (a clean shutdown: something outside the bench sent it SIGTERM or SIGINT)' : '';
  throw new Error(`${child.name} exited during the bench (code ${exit.code}, signal ${exit.signal})${hint}:\n${child.stderrTail()}`);
}
