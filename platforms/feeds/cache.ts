// One upstream request serves every client polling a feed: the parsed feed is kept in the shared
// Redis cache (ctx.cache) for HUBGRAPH_FETCH_CACHE seconds; after that it is revalidated with
// If-None-Match / If-Modified-Since and kept on 304. A stale copy stays in Redis ten windows long
// so that revalidation has something to keep. Within one thread, concurrent misses of one feed
// share one request; across threads and processes a claim in Redis lets one refresh while the
// rest wait for its result, so a cold burst costs one request too.
import { HubError } from '../../src/errors.js';
import type { Fetched } from '../../src/net/safe-fetch.js';
import type { JobContext } from '../../src/platform/types.js';
import type { FeedDoc } from './objects.js';
import { parseFeed } from './parse.js';

const NAMESPACE = 'feeds';
/** how many freshness windows a copy with validators outlives its freshness, for revalidation */
const KEEP_STALE = 10;
const ACCEPT = 'application/rss+xml, application/atom+xml, application/feed+json, application/rdf+xml;q=0.9, application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5';

interface Cached {
  /** when upstream last confirmed this copy (ms since the epoch) */
  checkedAt: number;
  etag?: string | undefined;
  lastModified?: string | undefined;
  doc: FeedDoc;
}

const inFlight = new Map<string, Promise<FeedDoc>>();

export function loadFeed(url: string, ctx: JobContext): Promise<FeedDoc> {
  const key = normalize(url);
  let pending = inFlight.get(key);
  if (!pending) {
    pending = load(url, key, ctx).finally(() => inFlight.delete(key));
    inFlight.set(key, pending);
  }
  return pending;
}

async function load(url: string, key: string, ctx: JobContext): Promise<FeedDoc> {
  const windowSeconds = ctx.net.cacheSeconds;
  if (windowSeconds <= 0) return parseFeed(await get(url, ctx, {}), url);

  const started = Date.now();
  const cached = await ctx.cache.get<Cached>(NAMESPACE, key);
  if (cached && started - cached.checkedAt < windowSeconds * 1000) return cached.doc;
  // one refresh at a time across every thread and process; the others wait for its result
  if (!(await ctx.cache.claim(NAMESPACE, key, ctx.net.timeoutMs))) {
    const fresh = await waitForRefresh(ctx, key, started);
    if (fresh) return fresh.doc;
  }
  try {
    return await refresh(url, key, ctx, cached);
  } finally {
    await ctx.cache.release(NAMESPACE, key);
  }
}

const CLAIM_POLL_MS = 20;

async function waitForRefresh(ctx: JobContext, key: string, since: number): Promise<Cached | undefined> {
  const until = since + ctx.net.timeoutMs;
  while (Date.now() < until) {
    await new Promise((r) => setTimeout(r, CLAIM_POLL_MS));
    const entry = await ctx.cache.get<Cached>(NAMESPACE, key);
    if (entry && entry.checkedAt >= since) return entry;
    if (await ctx.cache.claim(NAMESPACE, key, ctx.net.timeoutMs)) {
      await ctx.cache.release(NAMESPACE, key); // the refresher gave up: fetch for ourselves
      return undefined;
    }
  }
  return undefined;
}

async function refresh(url: string, key: string, ctx: JobContext, cached: Cached | undefined): Promise<FeedDoc> {
  const validators: Record<string, string> = {};
  if (cached?.etag) validators['if-none-match'] = cached.etag;
  if (cached?.lastModified) validators['if-modified-since'] = cached.lastModified;
  const canRevalidate = Object.keys(validators).length > 0;
  const res = await get(url, ctx, validators, canRevalidate ? [304] : undefined);
  if (res.status === 304 && cached) {
    await store(ctx, key, { ...cached, checkedAt: Date.now(), etag: res.headers.etag ?? cached.etag, lastModified: res.headers['last-modified'] ?? cached.lastModified });
    return cached.doc;
  }
  const doc = await parseFeed(res, url);
  await store(ctx, key, { checkedAt: Date.now(), etag: res.headers.etag, lastModified: res.headers['last-modified'], doc });
  return doc;
}

async function store(ctx: JobContext, key: string, entry: Cached): Promise<void> {
  const keep = entry.etag || entry.lastModified ? ctx.net.cacheSeconds * KEEP_STALE : ctx.net.cacheSeconds;
  await ctx.cache.set(NAMESPACE, key, entry, keep);
}

async function get(url: string, ctx: JobContext, validators: Record<string, string>, acceptStatus?: number[]): Promise<Fetched> {
  try {
    return await ctx.fetcher.fetch(url, { headers: { accept: ACCEPT, ...validators }, ...(acceptStatus ? { acceptStatus } : {}) });
  } catch (err) {
    const status = err instanceof HubError ? err.details?.status : undefined;
    if (status === 404 || status === 410) {
      throw new HubError('PLATFORM_ERROR', `there is no feed at ${url} (HTTP ${status}${status === 410 ? ', gone for good' : ', not found'}): check the address`, { status });
    }
    throw err;
  }
}

function normalize(url: string): string {
  try {
    return new URL(url).href;
  } catch {
    return url;
  }
}
