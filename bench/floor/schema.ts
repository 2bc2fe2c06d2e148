// The floor's schema: one subscription with the same output shape as hubgraph's Activity (so
// both serialize about the same bytes), default resolvers, fed from an in-process broadcast.
import { randomUUID } from 'node:crypto';
import { GraphQLBoolean, GraphQLID, GraphQLNonNull, GraphQLObjectType, GraphQLSchema, GraphQLString } from 'graphql';
import { Broadcast } from './broadcast.js';

export interface FloorActivity {
  id: string;
  type: string;
  platform: string;
  cursor: string;
  published: string;
  actor: { id: string; type: string; name: string };
  object: { type: string; content: string };
}

const str = { type: GraphQLString };
const required = { type: new GraphQLNonNull(GraphQLString) };

const ActivityObject = new GraphQLObjectType({
  name: 'ActivityObject',
  fields: { id: str, type: required, name: str, content: str, url: str, mediaType: str, summary: str },
});

const Activity = new GraphQLObjectType({
  name: 'Activity',
  fields: {
    id: { type: new GraphQLNonNull(GraphQLID) },
    type: required,
    platform: required,
    cursor: str,
    published: required,
    actor: { type: new GraphQLNonNull(ActivityObject) },
    object: { type: ActivityObject },
  },
});

export const activities = new Broadcast<FloorActivity>();

export const schema = new GraphQLSchema({
  query: new GraphQLObjectType({ name: 'Query', fields: { ok: { type: GraphQLBoolean, resolve: () => true } } }),
  subscription: new GraphQLObjectType({
    name: 'Subscription',
    fields: {
      activities: {
        type: new GraphQLNonNull(Activity),
        subscribe: () => activities.subscribe(),
        resolve: (event: FloorActivity) => event,
      },
    },
  }),
});

let seq = 0;

/** Publishes n activities now, each stamped with the time it was published. */
export function emit(n: number): void {
  for (let i = 0; i < n; i++) {
    const now = Date.now();
    activities.publish({
      id: randomUUID(),
      type: 'send',
      platform: 'dummy',
      cursor: `${now}-${seq++}`,
      published: new Date(now).toISOString(),
      actor: { id: 'echo@dummy', type: 'person', name: 'echo' },
      object: { type: 'message', content: 'x' },
    });
  }
}
