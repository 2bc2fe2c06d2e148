// Which code was measured: the commit, and whether the engine had uncommitted changes.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { ROOT } from './paths.js';

export interface Revision {
  commit: string | null;
  /** tracked files under src/ and platforms/ that differ from the commit */
  uncommitted: string[];
  /** sha256 of that difference (two runs with the same hash measured the same code) */
  diffSha256: string | null;
  /** files under src/ and platforms/ that git does not track */
  untracked: string[];
}

export function revision(): Revision {
  const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    // porcelain lines are "XY path": keep the leading status columns intact
    const status = git('status', '--porcelain', '--', 'src', 'platforms').split('\n').filter(Boolean);
    const tracked = status.filter((l) => !l.startsWith('??')).map((l) => l.slice(3));
    const untracked = status.filter((l) => l.startsWith('??')).map((l) => l.slice(3));
    const diff = tracked.length ? createHash('sha256').update(git('diff', 'HEAD', '--', 'src', 'platforms')).digest('hex') : null;
    return { commit: git('rev-parse', 'HEAD').trim(), uncommitted: tracked, diffSha256: diff, untracked };
  } catch {
    return { commit: null, uncommitted: [], diffSha256: null, untracked: [] };
  }
}
