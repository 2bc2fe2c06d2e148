// Where the bench finds the compiled project and its own files.
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** the compiled entry point, as `npm start` runs it */
export const HUBGRAPH_MAIN = fileURLToPath(new URL('../../dist/src/main.js', import.meta.url));
/** the Piscina task of the BullMQ→Piscina section */
export const ECHO_THREAD = new URL('../queue/echo-thread.mjs', import.meta.url).href;
export const FLOOR_SERVER = fileURLToPath(new URL('../floor/server.ts', import.meta.url));
/** the fixture server of the fetch section and the files it serves */
export const FIXTURE_SERVER = fileURLToPath(new URL('../fixtures/server.ts', import.meta.url));
export const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));
