// Stateless verbs, run in the jobs pool.
import type { JobModule } from '../../src/platform/types.js';
import { echo } from './verbs/echo.js';

export const jobs: JobModule['jobs'] = { fetch: echo };
