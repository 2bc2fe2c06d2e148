// RSS 0.9x/2.0, RSS 1.0 (RDF), Atom 1.0 and JSON Feed, read through the guarded fetcher: `fetch`
// with the feed's URL as the actor answers with its entries as a collection of posts.
import { definePlatform } from '../../src/platform/types.js';
import { verbSchemas } from './schema.js';

export const platform = definePlatform({
  id: 'feeds',
  persistent: false,
  verbs: ['fetch'],
  credentialsSchema: null,
  verbSchemas,
  jobsModule: new URL('./jobs.js', import.meta.url),
});
