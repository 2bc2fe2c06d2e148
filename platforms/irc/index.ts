// IRC: a persistent platform. Each connection is an irc-framework client in the sessions pool
// (session.ts); verbs are in verbs/, inbound protocol events in inbound/, ids in translate.ts.
import { definePlatform } from '../../src/platform/types.js';
import { credentialsSchema, verbSchemas } from './schema.js';

export const platform = definePlatform({
  id: 'irc',
  persistent: true,
  verbs: ['connect', 'disconnect', 'join', 'leave', 'send', 'update', 'query'],
  credentialsSchema,
  verbSchemas,
  sessionModule: new URL('./session.js', import.meta.url),
});
