// Activity, ActivityObject and their inputs, as ../shared/API.md fixes them.
import { builder } from '../builder.js';
import type { ASObject } from '../../platform/types.js';
import type { ActivitySource } from '../../events/stream-entry.js';

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

export const ActivityObject = builder.objectRef<ASObject>('ActivityObject').implement({
  description: 'An ActivityStreams object: a person, room, message, feed, page, ...',
  fields: (t) => ({
    id: t.string({ nullable: true, resolve: (o) => str(o.id) }),
    type: t.string({ resolve: (o) => String(o.type ?? '') }),
    name: t.string({ nullable: true, resolve: (o) => str(o.name) }),
    content: t.string({ nullable: true, resolve: (o) => str(o.content) }),
    url: t.string({ nullable: true, resolve: (o) => str(o.url) }),
    mediaType: t.string({ nullable: true, resolve: (o) => str(o.mediaType) }),
    summary: t.string({ nullable: true, resolve: (o) => str(o.summary) }),
    json: t.field({ type: 'JSON', description: 'The whole ActivityStreams object', resolve: (o) => o }),
  }),
});

export const Activity = builder.objectRef<ActivitySource>('Activity').implement({
  description: 'An ActivityStreams 2.0 activity: the result of a verb, or an inbound event',
  fields: (t) => ({
    id: t.id({ resolve: (a) => String(a.doc.id ?? '') }),
    type: t.string({ description: 'The verb, kebab-case as in ActivityStreams (send, request-friend, ...)', resolve: (a) => a.doc.type }),
    platform: t.string({ resolve: (a) => String(a.doc.platform ?? '') }),
    actor: t.field({ type: ActivityObject, resolve: (a) => a.doc.actor }),
    object: t.field({ type: ActivityObject, nullable: true, resolve: (a) => a.doc.object ?? null }),
    target: t.field({ type: ActivityObject, nullable: true, resolve: (a) => a.doc.target ?? null }),
    published: t.string({ description: 'ISO 8601', resolve: (a) => String(a.doc.published ?? '') }),
    cursor: t.string({
      nullable: true,
      description: "Opaque position in this session's event stream; pass it as `since` to resume. Null on a mutation result that was not also streamed.",
      resolve: (a) => a.cursor,
    }),
    json: t.field({ type: 'JSON', description: 'The whole ActivityStreams 2.0 document, with @context', resolve: (a) => a.doc }),
  }),
});

export const ActivityObjectInput = builder.inputType('ActivityObjectInput', {
  fields: (t) => ({
    id: t.string({ required: false }),
    type: t.string({ required: true }),
    name: t.string({ required: false }),
    content: t.string({ required: false }),
    url: t.string({ required: false }),
    mediaType: t.string({ required: false }),
    summary: t.string({ required: false }),
    extra: t.field({
      type: 'JSON',
      required: false,
      description: 'Platform-specific ActivityStreams properties merged into the object, e.g. {"presence":"away"} or {"limit":10}',
    }),
  }),
});

export const ActivityInput = builder.inputType('ActivityInput', {
  fields: (t) => ({
    platform: t.string({ required: true, description: 'irc | xmpp | feeds | metadata (see the platforms query)' }),
    id: t.string({ required: false, description: 'Client-chosen id; a repeat within the same session is not executed twice' }),
    actor: t.field({ type: ActivityObjectInput, required: true }),
    object: t.field({ type: ActivityObjectInput, required: false }),
    target: t.field({ type: ActivityObjectInput, required: false }),
  }),
});
