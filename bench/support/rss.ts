// Resident memory of a process and its descendants, as the kernel reports it (/proc/<pid>/status
// VmRSS; the threads of a process share its address space, so they are counted once).
import { readFileSync, readdirSync } from 'node:fs';

export function vmRssBytes(pid: number): number | undefined {
  try {
    const m = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** pid and every descendant of it (a scan of /proc). */
export function processTree(root: number): number[] {
  const parent = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      parent.set(Number(name), ppid);
    } catch {
      // gone meanwhile
    }
  }
  const tree = [root];
  for (let i = 0; i < tree.length; i++) for (const [pid, ppid] of parent) if (ppid === tree[i]) tree.push(pid);
  return tree;
}

/** Total VmRSS of a process and its descendants, and how many processes that was. */
export function treeRss(root: number): { bytes: number; processes: number } {
  let bytes = 0;
  const pids = processTree(root);
  for (const pid of pids) bytes += vmRssBytes(pid) ?? 0;
  return { bytes, processes: pids.length };
}
