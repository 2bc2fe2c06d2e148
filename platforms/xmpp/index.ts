// XMPP: a persistent platform. Each connection is an @xmpp/client in the sessions pool
// (session.ts); verbs are in verbs/, inbound stanzas in inbound/, ids in translate.ts.
import { definePlatform } from '../../src/platform/types.js';
import { credentialsSchema, verbSchemas } from './schema.js';

export const platform = definePlatform({
  id: 'xmpp',
  persistent: true,
  verbs: ['connect', 'disconnect', 'join', 'leave', 'send', 'update', 'query', 'requestFriend', 'removeFriend', 'makeFriend'],
  credentialsSchema,
  verbSchemas,
  sessionModule: new URL('./session.js', import.meta.url),
});
