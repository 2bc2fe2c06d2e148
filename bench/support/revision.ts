// Which code was measured: the commit, and whether the engine had uncommitted changes.
import { execFileSync } from 'node:child_process';
import { ROOT } from './paths.js';

export interface Revision {
  commit: string | null;
  /** files under src/ and platforms/ that differ from the commit */
  uncommitted: string[];
}

export function revision(): Revision {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    const status = git('status', '--porcelain', '--', 'src', 'platforms');
    return { commit: git('rev-parse', 'HEAD'), uncommitted: status ? status.split('\n').map((l) => l.slice(3)) : [] };
  } catch {
    return { commit: null, uncommitted: [] };
  }
}
