// Compiles TypeScript to dist/ (incremental, so a second run takes a moment). Output goes to
// stderr: `npm start` keeps stdout for the ready line.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url));
const r = spawnSync(process.execPath, [tsc, '-p', root], { cwd: root, stdio: ['ignore', process.stderr, process.stderr] });
if (r.status !== 0) {
  process.stderr.write('hubgraph: the TypeScript build failed (see above)\n');
  process.exit(r.status ?? 1);
}

// The demo web app (web/, served at HUBGRAPH_DEMO_PATH): type-checked, then bundled by Vite into
// dist/web/. Skipped when nothing under web/ or the SDK it uses changed since the last bundle.
await import('./build-web.mjs');
