// Stateless verbs, run in the jobs pool.
import type { JobModule } from '../../src/platform/types.js';
import { fetchPage } from './verbs/fetch.js';

export const jobs: JobModule['jobs'] = { fetch: fetchPage };
