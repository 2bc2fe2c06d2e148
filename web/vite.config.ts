// Vite builds the demo into dist/web/ (scripts/build-web.mjs runs it). Asset URLs are relative, so
// the gateway can serve the app at any HUBGRAPH_DEMO_PATH.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  publicDir: false,
  build: {
    outDir: fileURLToPath(new URL('../dist/web/', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
    // one small bundle; no module preload polyfill (its inline script would need a CSP exception)
    modulePreload: { polyfill: false },
  },
  server: {
    // `npx vite web` for development, with a gateway on the default port behind it
    proxy: { '/graphql': { target: 'http://127.0.0.1:10550', ws: true } },
  },
});
