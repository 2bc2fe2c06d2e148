// openSession, closeSession, setCredentials and the session query.
import { builder } from '../builder.js';

interface OpenedSession { token: string; expiresAt: Date }
interface SessionInfo { id: string }

const SessionToken = builder.objectRef<OpenedSession>('SessionToken').implement({
  fields: (t) => ({
    token: t.string({ description: 'Bearer token: send it as "Authorization: Bearer <token>" (HTTP) or {"authorization": "Bearer <token>"} in connection_init (WebSocket)', resolve: (s) => s.token }),
    expiresAt: t.string({ description: 'ISO 8601; every use of the session moves it forward by the idle TTL', resolve: (s) => s.expiresAt.toISOString() }),
  }),
});

const Session = builder.objectRef<SessionInfo>('Session').implement({
  fields: (t) => ({
    id: t.id({ resolve: (s) => s.id }),
    actors: t.stringList({ description: 'Actor ids this session holds credentials for', resolve: (s, _a, ctx) => ctx.services.credentials.actors(s.id) }),
    expiresAt: t.string({ resolve: async (s, _a, ctx) => (await ctx.services.sessions.expiresAt(s.id)).toISOString() }),
  }),
});

builder.queryField('session', (t) =>
  t.field({
    type: Session,
    description: 'The session the bearer token names',
    resolve: async (_r, _a, ctx) => ({ id: (await ctx.session()).id }),
  }),
);

builder.mutationField('openSession', (t) =>
  t.field({
    type: SessionToken,
    description: 'Starts a session; needs no token',
    resolve: async (_r, _a, ctx) => {
      await ctx.services.guards.openSession(ctx.ip());
      const opened = await ctx.services.sessions.open();
      return { token: opened.token, expiresAt: opened.expiresAt };
    },
  }),
);

builder.mutationField('closeSession', (t) =>
  t.boolean({
    description: "Ends the session: deletes its credentials and disconnects its platform connections that no other session shares",
    resolve: async (_r, _a, ctx) => {
      await ctx.services.dispatcher.closeSession(await ctx.session());
      return true;
    },
  }),
);

builder.mutationField('setCredentials', (t) =>
  t.boolean({
    description: "Stores credentials for one actor on one platform, validated against the platform's credentialsSchema and encrypted at rest; never returned",
    args: {
      platform: t.arg.string({ required: true }),
      actor: t.arg.string({ required: true }),
      credentials: t.arg({ type: 'JSON', required: true }),
    },
    resolve: async (_r, args, ctx) => {
      const session = await ctx.session();
      await ctx.services.guards.mutation(session.id);
      await ctx.services.credentials.set(session.id, session.dek, args.platform, args.actor, args.credentials);
      return true;
    },
  }),
);
