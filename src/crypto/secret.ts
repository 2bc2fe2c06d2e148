// The server secret: from HUBGRAPH_SECRET, or generated once into a local file (with a warning),
// so a single-machine install works out of the box and restarts keep reading their own data.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type { Logger } from '../log.js';

export function loadSecret(configured: string | undefined, file: string, log: Logger): string {
  if (configured) return configured;
  const path = resolve(file);
  try {
    const existing = readFileSync(path, 'utf8').trim();
    if (existing.length >= 16) {
      log.warn({ file: path }, 'HUBGRAPH_SECRET is not set; using the secret kept in the local file. Set HUBGRAPH_SECRET on every api and worker process that share this Redis.');
      return existing;
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const secret = randomBytes(32).toString('base64url');
  mkdirSync(dirname(path), { recursive: true });
  try {
    writeFileSync(path, secret + '\n', { mode: 0o600, flag: 'wx' });
  } catch (err) {
    // another process started at the same moment and wrote it first: use theirs
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return readFileSync(path, 'utf8').trim();
    throw err;
  }
  log.warn({ file: path }, 'HUBGRAPH_SECRET is not set; generated one and kept it in the local file. Processes on other machines need the same value in HUBGRAPH_SECRET.');
  return secret;
}
