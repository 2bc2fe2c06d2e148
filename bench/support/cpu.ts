// CPU time of the processes that share the machine during a measurement (the bench client, the
// server, redis-server), so a figure comes with where its CPU went. Linux /proc; elsewhere the
// other processes read as unknown.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

const TICKS_PER_SECOND = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** user+system CPU milliseconds a process has used so far, or undefined when unreadable. */
export function cpuMs(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  if (pid === process.pid) {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // fields after the parenthesised command name; utime and stime are fields 14 and 15
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(rest[11]) + Number(rest[12])) / TICKS_PER_SECOND) * 1000;
  } catch {
    return undefined;
  }
}

/** CPU milliseconds the whole machine has been busy (all cores, idle and iowait excluded). */
export function machineBusyMs(): number | undefined {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]?.trim().split(/\s+/).slice(1).map(Number) ?? [];
    const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = cpu;
    return ((user + nice + system + irq + softirq + steal) / TICKS_PER_SECOND) * 1000;
  } catch {
    return undefined;
  }
}

/** Cores busy per named process (1 = one whole core), plus `others`: the rest of the machine. */
export type CpuShare = Record<string, number | null>;

export function cpuMeter(pids: Record<string, number | undefined>): () => CpuShare {
  const t0 = performance.now();
  const machine0 = machineBusyMs();
  const before = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuMs(pid)]));
  return () => {
    const wall = performance.now() - t0;
    const machine1 = machineBusyMs();
    const share: CpuShare = {};
    let ours = 0;
    for (const [k, pid] of Object.entries(pids)) {
      const a = before[k];
      const b = cpuMs(pid);
      const v = a === undefined || b === undefined || wall <= 0 ? null : (b - a) / wall;
      share[k] = v;
      ours += v ?? 0;
    }
    share.others = machine0 === undefined || machine1 === undefined || wall <= 0 ? null : Math.max(0, (machine1 - machine0) / wall - ours);
    return share;
  };
}

/**
 * Cores the rest of the machine kept busy over a whole run: machine busy time minus what the
 * bench's own processes used. `early` are running at the start; the servers start after it, so
 * their whole lifetime counts: `retire` one just before it stops (its CPU time is unreadable
 * once it has exited), and name those still running when the run ends to `total`.
 */
export function othersMeter(early: (number | undefined)[]): { retire(pid: number | undefined): void; total(later: (number | undefined)[]): number | null } {
  const t0 = performance.now();
  const machine0 = machineBusyMs();
  const early0 = early.map(cpuMs);
  let retiredMs = 0;
  return {
    retire(pid) {
      retiredMs += cpuMs(pid) ?? 0;
    },
    total(later) {
      const wall = performance.now() - t0;
      const machine1 = machineBusyMs();
      if (machine0 === undefined || machine1 === undefined || wall <= 0) return null;
      let ours = retiredMs;
      early.forEach((pid, i) => (ours += (cpuMs(pid) ?? 0) - (early0[i] ?? 0)));
      for (const pid of later) ours += cpuMs(pid) ?? 0;
      return Math.max(0, (machine1 - machine0 - ours) / wall);
    },
  };
}
