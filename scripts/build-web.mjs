// Builds the demo web app: tsc --noEmit over web/ (browser types), then Vite into dist/web/.
// Incremental: nothing is done when dist/web/index.html is newer than every input. Without Vite
// (an install without dev dependencies) it says so and leaves the gateway to answer 503 at the demo path.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = join(root, 'dist/web/index.html');
const inputs = [join(root, 'web'), join(root, 'src/sdk/generated'), join(root, 'scripts/build-web.mjs')];

function newest(path) {
  const st = statSync(path);
  if (!st.isDirectory()) return st.mtimeMs;
  let m = st.mtimeMs;
  for (const name of readdirSync(path)) if (name !== 'node_modules') m = Math.max(m, newest(join(path, name)));
  return m;
}

const stale = !existsSync(out) || Math.max(...inputs.map(newest)) > statSync(out).mtimeMs;
if (stale) {
  let vite;
  try {
    vite = await import('vite');
  } catch {
    process.stderr.write('hubgraph: Vite is not installed (dev dependency), so the demo web app is not built\n');
  }
  if (vite) {
    const tsc = join(root, 'node_modules/typescript/bin/tsc');
    const r = spawnSync(process.execPath, [tsc, '--noEmit', '-p', join(root, 'web')], { cwd: root, stdio: ['ignore', process.stderr, process.stderr] });
    if (r.status !== 0) {
      process.stderr.write('hubgraph: the demo web app does not type-check (see above)\n');
      process.exit(r.status ?? 1);
    }
    await vite.build({ configFile: join(root, 'web/vite.config.ts'), logLevel: 'warn' });
  }
}
