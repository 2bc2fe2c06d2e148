// One mutation per ActivityStreams verb; each hands the activity to the dispatcher.
import { builder } from '../builder.js';
import { Activity, ActivityInput } from './activity.js';
import { VERBS, type Verb } from '../../platform/types.js';
import type { ActivityInput as ActivityInputShape } from '../../activity/from-input.js';

const DESCRIPTIONS: Record<Verb, string> = {
  connect: 'Opens the platform connection of `actor` (IRC: registered; XMPP: online); resolves when it is usable',
  disconnect: 'Leaves the connection of `actor`; it closes when no other session shares it',
  join: 'Joins the room in `target`',
  leave: 'Leaves the room in `target`',
  send: 'Sends `object` (a message) to `target`',
  update: 'Changes presence, topic or nick (see object.type)',
  query: 'Asks the platform for something (room attendance, info); resolves with the answer',
  fetch: 'Fetches what `actor` names (a feed, a web page); resolves with the result',
  requestFriend: 'Asks `target` to be a contact',
  removeFriend: 'Removes `target` from the contacts',
  makeFriend: 'Accepts a contact request from `target`',
};

for (const verb of VERBS) {
  builder.mutationField(verb, (t) =>
    t.field({
      type: Activity,
      description: DESCRIPTIONS[verb],
      args: { input: t.arg({ type: ActivityInput, required: true }) },
      resolve: async (_r, args, ctx) => {
        const session = await ctx.session();
        await ctx.services.guards.mutation(session.id);
        const doc = await ctx.services.dispatcher.dispatch(session, verb, args.input as ActivityInputShape);
        return { doc, cursor: null };
      },
    }),
  );
}
