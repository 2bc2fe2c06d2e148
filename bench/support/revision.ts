// Which code was measured: the commit, and whether the engine had uncommitted changes.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { ROOT } from './paths.js';

export interface Revision {
  commit: string | null;
  /** files under src/ and platforms/ that differ from the commit */
  uncommitted: string[];
  /** sha256 of that difference (two runs with the same hash measured the same code) */
  diffSha256: string | null;
}

export function revision(): Revision {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    // porcelain lines are "XY path": keep the leading status columns intact
    const status = git('status', '--porcelain', '--', 'src', 'platforms').split('\n').filter(Boolean);
    const diff = status.length ? createHash('sha256').update(git('diff', 'HEAD', '--', 'src', 'platforms')).digest('hex') : null;
    return { commit: git('rev-parse', 'HEAD').trim(), uncommitted: status.map((l) => l.slice(3)), diffSha256: diff };
  } catch {
    return { commit: null, uncommitted: [], diffSha256: null };
  }
}
