import { builder } from '../builder.js';
import type { LoadedPlatform } from '../../platform/registry.js';

const NO_CREDENTIALS = { type: 'null', description: 'this platform takes no credentials' };

const Platform = builder.objectRef<LoadedPlatform>('Platform').implement({
  fields: (t) => ({
    id: t.id({ resolve: (p) => p.descriptor.id }),
    verbs: t.stringList({ description: 'The mutations this platform accepts', resolve: (p) => [...p.descriptor.verbs] }),
    persistent: t.boolean({ description: 'Whether connect opens a long-lived connection', resolve: (p) => p.descriptor.persistent }),
    credentialsSchema: t.field({ type: 'JSON', description: 'JSON Schema of setCredentials(credentials:); {"type":"null"} when the platform takes none', resolve: (p) => p.descriptor.credentialsSchema ?? NO_CREDENTIALS }),
  }),
});

builder.queryField('platforms', (t) =>
  t.field({
    type: [Platform],
    description: 'The platforms this server offers',
    resolve: async (_r, _a, ctx) => {
      await ctx.session();
      return ctx.services.platforms.list();
    },
  }),
);
