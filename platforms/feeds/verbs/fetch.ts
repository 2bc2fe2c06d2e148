// fetch: the feed at actor.id, as {type: "collection", totalItems, items: [post...]}. Entries keep
// the feed's order; `since`/`before` keep those published in that span (undated entries drop
// out), then `offset` skips and `limit` keeps the first N. totalItems counts every entry the
// feed document holds, before any of that.
import type { ASObject, JobHandler } from '../../../src/platform/types.js';
import { loadFeed } from '../cache.js';

interface Parameters { limit?: number; offset?: number; since?: string; before?: string }

function select(entries: ASObject[], p: Parameters): ASObject[] {
  let out = entries;
  const since = p.since ? Date.parse(p.since) : undefined;
  const before = p.before ? Date.parse(p.before) : undefined;
  if (since !== undefined || before !== undefined) {
    out = out.filter((e) => {
      const t = Date.parse(String(e.published ?? e.updated ?? ''));
      return !Number.isNaN(t) && (since === undefined || t >= since) && (before === undefined || t < before);
    });
  }
  const from = p.offset ?? 0;
  return out.slice(from, p.limit === undefined ? undefined : from + p.limit);
}

export const fetchFeed: JobHandler = async (activity, ctx) => {
  const url = activity.actor.id as string; // the verb schema requires it
  const doc = await loadFeed(url, ctx);
  // the actor is the feed as the client named it, whatever address it was finally read from
  const feed: ASObject = { ...doc.feed, id: url };
  const items = select(doc.entries, (activity.object ?? {}) as Parameters);
  return {
    ...activity,
    actor: feed,
    object: {
      type: 'collection',
      id: url,
      name: feed.name,
      totalItems: doc.entries.length,
      items: items.map((entry) => ({ type: 'post', actor: feed, object: entry })),
    },
  };
};
