// fetch: actor.id is a page URL; the result's object is the page's metadata (translate.ts).
// Reading stops at </head> when the head has what a preview needs; only a page whose head lacks a
// title or an image is read in full (up to HUBGRAPH_FETCH_MAX_BYTES) for its first large <img>:
// from what the fetcher read past </head> when it had the rest already (a small page), else with
// a second request. Results are shared between all sessions for HUBGRAPH_FETCH_CACHE seconds.
import { HubError } from '../../../src/errors.js';
import type { ASActivity, ASObject, JobContext, JobHandler } from '../../../src/platform/types.js';
import { withDeadline } from '../deadline.js';
import { extract, type Extracted } from '../extract.js';
import { fetchHtml } from '../fetch-html.js';
import { fetchOEmbed } from '../oembed.js';
import { toPage } from '../translate.js';

const CACHE = 'metadata';
/** previews under way in this thread: concurrent requests for one URL share one upstream fetch */
const inflight = new Map<string, Promise<ASObject>>();

export const fetchPage: JobHandler = async (activity, ctx) => {
  const url = pageUrl(activity);
  const page = await preview(url, ctx);
  const { object: _object, target: _target, ...rest } = activity;
  const siteName = typeof page.siteName === 'string' ? page.siteName : undefined;
  return { ...rest, type: 'fetch', actor: { id: url, type: 'website', ...(siteName ? { name: siteName } : {}) }, object: page };
};

function pageUrl(activity: ASActivity): string {
  const id = activity.actor.id ?? '';
  try {
    const u = new URL(id);
    if (u.protocol === 'http:' || u.protocol === 'https:') return id;
  } catch {
    /* reported below */
  }
  throw new HubError('BAD_USER_INPUT', `actor.id must be the http(s) URL of the page, got "${id}"`, { field: 'actor.id' });
}

async function preview(url: string, ctx: JobContext): Promise<ASObject> {
  const ttl = ctx.net.cacheSeconds;
  if (ttl <= 0) return build(url, ctx);
  const cached = await ctx.cache.get<ASObject>(CACHE, url);
  if (cached) return cached;
  let work = inflight.get(url);
  if (!work) {
    work = build(url, ctx).then(async (page) => {
      await ctx.cache.set(CACHE, url, page, ttl);
      return page;
    });
    work.finally(() => inflight.delete(url)).catch(() => {});
    inflight.set(url, work);
  }
  return work;
}

async function build(url: string, ctx: JobContext): Promise<ASObject> {
  const deadline = Date.now() + ctx.net.timeoutMs;
  const head = await fetchHtml(ctx.fetcher, url, '</head>');
  const found = await extract(head.html, !head.complete);
  const base = head.fetched.url;
  const needBody = !head.complete && (!hasImage(found) || !hasTitle(found));
  const [whole, oembed] = await Promise.all([
    // the rest of the body is a bonus: a page too large or too slow to read whole keeps its head
    !needBody ? undefined
    : head.whole ? extract(head.whole()).catch(() => undefined)
    : withDeadline(() => fetchHtml(ctx.fetcher, url).then((p) => extract(p.html)), deadline, `the rest of ${url}`).catch(() => undefined),
    found.links.oembed ? fetchOEmbed(ctx.fetcher, found.links.oembed, base, deadline) : undefined,
  ]);
  const contentLanguage = head.fetched.headers['content-language'];
  return toPage(whole ?? found, {
    url: base,
    mediaType: head.mediaType,
    charset: head.charset,
    ...(contentLanguage ? { contentLanguage } : {}),
    ...(oembed ? { oembed } : {}),
  });
}

function hasTitle(e: Extracted): boolean {
  return Boolean(e.og.ogTitle || e.og.twitterTitle);
}

function hasImage(e: Extracted): boolean {
  return Boolean(e.og.ogImage?.length || e.og.twitterImage?.length || e.bodyImage);
}
