// Stateless verbs, run in the jobs pool.
import type { JobModule } from '../../src/platform/types.js';
import { fetchFeed } from './verbs/fetch.js';

export const jobs: JobModule['jobs'] = { fetch: fetchFeed };
