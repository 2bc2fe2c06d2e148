// Where the bench finds the compiled project and its own files.
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** the compiled entry point, as `npm start` runs it */
export const HUBGRAPH_MAIN = fileURLToPath(new URL('../../dist/src/main.js', import.meta.url));
/** the compiled jobs-pool thread and the dummy platform's stateless verbs */
export const JOB_THREAD = new URL('../../dist/src/pool/job-thread.js', import.meta.url).href;
export const DUMMY_JOBS = new URL('../../dist/platforms/dummy/jobs.js', import.meta.url).href;
export const FLOOR_SERVER = fileURLToPath(new URL('../floor/server.ts', import.meta.url));
export const RESULTS_DIR = fileURLToPath(new URL('../results/', import.meta.url));
