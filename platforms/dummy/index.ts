// The test platform: proves the engine end to end without a protocol server. Loaded only when
// HUBGRAPH_PLATFORMS names it. `fetch` is stateless (echo, fail, sleep, spin); every other verb
// runs on a persistent session that counts its commands and emits activities on demand.
import { definePlatform } from '../../src/platform/types.js';
import { credentialsSchema, verbSchemas } from './schema.js';

export const platform = definePlatform({
  id: 'dummy',
  persistent: true,
  verbs: ['connect', 'disconnect', 'join', 'leave', 'send', 'update', 'query', 'fetch'],
  statelessVerbs: ['fetch'],
  credentialsSchema,
  verbSchemas,
  jobsModule: new URL('./jobs.js', import.meta.url),
  sessionModule: new URL('./session.js', import.meta.url),
});
