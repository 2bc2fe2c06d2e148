// Link previews: `fetch` with a page URL as the actor answers with the page's title, description,
// images, video, site name, canonical URL, language, favicon and oEmbed data (translate.ts),
// read through the guarded fetcher. Stateless: no credentials, no connection.
import { definePlatform } from '../../src/platform/types.js';
import { verbSchemas } from './schema.js';

export const platform = definePlatform({
  id: 'metadata',
  persistent: false,
  verbs: ['fetch'],
  credentialsSchema: null,
  verbSchemas,
  jobsModule: new URL('./jobs.js', import.meta.url),
});
