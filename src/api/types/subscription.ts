// The activities subscription. Over graphql-ws it takes the fast path: the hub writes serialized
// frames to the socket itself (one execution per event per group of identical operations), and
// the iterator handed back to graphql-ws only marks the subscription's lifetime.
import { execute, Kind, print, type DocumentNode, type ExecutionResult } from 'graphql';
import { builder } from '../builder.js';
import { Activity } from './activity.js';
import type { ActivitySource } from '../../events/stream-entry.js';
import { QueueSubscriber, SocketSubscriber } from '../../events/subscriber.js';
import { HubError } from '../../errors.js';

const MAX_QUEUED_EVENTS = 10_000;

builder.subscriptionField('activities', (t) =>
  t.field({
    type: Activity,
    description: 'Inbound activities of the connections this session is attached to; `since` replays from a cursor, then goes live',
    args: {
      platform: t.arg.string({ required: false }),
      actor: t.arg.string({ required: false, description: 'Only the connection of this actor id' }),
      since: t.arg.string({ required: false, description: 'A cursor from an earlier Activity' }),
    },
    subscribe: async (_root, args, ctx, info) => {
      const session = await ctx.session();
      const filter = { platform: args.platform ?? null, actor: args.actor ?? null };
      const document: DocumentNode = { kind: Kind.DOCUMENT, definitions: [info.operation, ...Object.values(info.fragments)] };
      const variables = info.variableValues;
      // the whole document: the same operation text with other fragment definitions renders otherwise
      const groupKey = `${print(document)}\n${JSON.stringify(filter)}\n${JSON.stringify(variables)}`;
      const render = (source: ActivitySource): string => {
        const result = execute({ schema: info.schema, document, rootValue: source, contextValue: ctx, variableValues: variables }) as ExecutionResult;
        return JSON.stringify(result);
      };

      if (ctx.ws) {
        const sub = new SocketSubscriber(ctx.ws.socket, ctx.ws.id, ctx.services.config.subscriberBufferBytes);
        const unsubscribe = await ctx.services.hub.subscribe({ sid: session.id, dek: session.dek, groupKey, filter, render, since: args.since, subscriber: sub });
        return lifetime(sub, unsubscribe);
      }
      // over SSE every subscription is an HTTP response of its own: capped per session
      ctx.services.guards.sseStarted(session.id);
      let released = false;
      const release = () => {
        if (!released) ctx.services.guards.sseEnded(session.id);
        released = true;
      };
      try {
        const sub = new QueueSubscriber(MAX_QUEUED_EVENTS);
        const unsubscribe = await ctx.services.hub.subscribe({ sid: session.id, dek: session.dek, groupKey, filter, render, since: args.since, subscriber: sub });
        sub.onReturn = unsubscribe;
        return counted(sub, release);
      } catch (err) {
        release();
        throw err;
      }
    },
    resolve: (source) => source as ActivitySource,
  }),
);

/**
 * The subscriber's iterator, releasing its slot however it ends: done, failed, or returned by the
 * client. (Not an async generator: its return() would wait behind a next() still waiting for an
 * event, so a client that went away would hold the slot until the next event came.)
 */
function counted(sub: QueueSubscriber, release: () => void): AsyncIterableIterator<ActivitySource> {
  const it: AsyncIterableIterator<ActivitySource> = {
    [Symbol.asyncIterator]: () => it,
    next: () =>
      sub.next().then(
        (r) => { if (r.done) release(); return r; },
        (err: unknown) => { release(); throw err; },
      ),
    return: () => {
      release();
      return sub.return();
    },
  };
  return it;
}

/** An iterator that yields nothing: it ends when the hub ends the subscriber or graphql-ws returns it. */
function lifetime(sub: SocketSubscriber, unsubscribe: () => void): AsyncIterableIterator<ActivitySource> {
  let finish: ((r: IteratorResult<ActivitySource>) => void) | undefined;
  const ended = new Promise<IteratorResult<ActivitySource>>((resolve) => (finish = resolve));
  const done = () => {
    unsubscribe();
    finish?.({ value: undefined, done: true });
  };
  sub.whenEnded(done);
  if (sub.ended) done();
  return {
    [Symbol.asyncIterator]() { return this; },
    next: () => ended,
    return: () => { sub.end(); done(); return Promise.resolve({ value: undefined, done: true }); },
    throw: (err: unknown) => { sub.end(); done(); return Promise.reject(err instanceof Error ? err : new HubError('INTERNAL_SERVER_ERROR', String(err))); },
  };
}
