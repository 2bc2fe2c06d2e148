// open-graph-scraper's result (+ what html-fallback.ts and oEmbed found) -> an ActivityStreams
// `page`. Each value comes from the first source that has it: Open Graph, then the Twitter card,
// then oEmbed or the plain HTML (the order per value is below), then the HTTP response.
// `sources` names the one used, under the value's own key.
import type { ASObject } from '../../src/platform/types.js';
import type { Extracted } from './extract.js';
import { absoluteUrl, type OEmbedOutcome } from './oembed.js';

export type Source = 'og' | 'twitter' | 'oembed' | 'html' | 'http' | 'default';

export interface Media {
  type: 'image' | 'video';
  url: string;
  mediaType?: string;
  width?: number;
  height?: number;
  /** an image's alt text */
  name?: string;
  /** a video's length, ISO 8601 (PT125S) */
  duration?: string;
}

export interface PageContext {
  /** the URL the page was fetched from, after redirects */
  url: string;
  mediaType: string;
  charset: string;
  contentLanguage?: string;
  oembed?: OEmbedOutcome;
}

type Candidate<T> = [T | undefined | null | '', Source];

function first<T>(...candidates: Candidate<T>[]): [T, Source] | undefined {
  for (const [value, source] of candidates) {
    if (value !== undefined && value !== null && value !== '' && !(Array.isArray(value) && value.length === 0)) return [value, source];
  }
  return undefined;
}

const text = (s: string | undefined): string | undefined => s?.replace(/\s+/g, ' ').trim() || undefined;
const size = (v: unknown): number | undefined => {
  const n = typeof v === 'number' ? v : typeof v === 'string' ? Number.parseInt(v, 10) : NaN;
  return Number.isFinite(n) && n > 0 ? n : undefined;
};
const date = (s: string | undefined): string | undefined => {
  const t = s ? Date.parse(s) : NaN;
  return Number.isFinite(t) ? new Date(t).toISOString() : undefined;
};
/** og:locale is en_US; ActivityStreams and HTML speak BCP 47 (en-US) */
const language = (s: string | undefined): string | undefined => text(s)?.split(',')[0]?.trim().replace(/_/g, '-') || undefined;

const MIME: Record<string, string> = { jpg: 'image/jpeg', jpeg: 'image/jpeg', png: 'image/png', gif: 'image/gif', webp: 'image/webp', avif: 'image/avif', svg: 'image/svg+xml' };
function mediaType(declared: string | undefined, url: string): string | undefined {
  if (declared?.includes('/')) return declared.toLowerCase();
  const ext = /\.(\w{2,5})$/.exec(new URL(url).pathname)?.[1]?.toLowerCase();
  return ext ? MIME[ext] : undefined;
}

function media(type: Media['type'], raw: { url?: string; type?: string; width?: unknown; height?: unknown; alt?: string }[] | undefined, base: string): Media[] {
  const out: Media[] = [];
  for (const m of raw ?? []) {
    const url = absoluteUrl(m.url, base);
    if (!url) continue;
    const mt = type === 'image' ? mediaType(m.type, url) : m.type?.includes('/') ? m.type : undefined;
    const [width, height, name] = [size(m.width), size(m.height), text(m.alt)];
    out.push({ type, url, ...(mt ? { mediaType: mt } : {}), ...(width ? { width } : {}), ...(height ? { height } : {}), ...(name ? { name } : {}) });
  }
  return out;
}

export function toPage(ex: Extracted, ctx: PageContext): ASObject {
  const { og, tags, links } = ex;
  const base = ctx.url;
  const oembed = ctx.oembed && 'oembed' in ctx.oembed ? ctx.oembed.oembed : undefined;
  const sources: Partial<Record<string, Source>> = {};
  const page: ASObject = { type: 'page' };
  const set = (key: string, found: [unknown, Source] | undefined) => {
    if (!found) return;
    page[key] = found[0];
    sources[key] = found[1];
  };
  const url = first<string>([absoluteUrl(og.ogUrl, base), 'og'], [absoluteUrl(og.twitterUrl, base), 'twitter'], [absoluteUrl(links.canonical, base), 'html'], [base, 'http']);
  page.id = url?.[0];
  set('url', url);
  // open-graph-scraper puts its <title> fallback in ogTitle: only tags.ogTitle is the og:title tag
  set('name', first<string>([text(tags.ogTitle), 'og'], [text(og.twitterTitle), 'twitter'], [text(og.ogTitle), 'html'], [text(oembed?.title), 'oembed']));
  set('summary', first<string>([text(tags.ogDescription), 'og'], [text(og.twitterDescription), 'twitter'], [text(og.ogDescription), 'html']));
  set('siteName', first<string>([text(og.ogSiteName), 'og'], [text(oembed?.provider_name), 'oembed'], [text(tags.applicationName), 'html']));
  set('pageType', first<string>([text(og.ogType), 'og']));
  set('language', first<string>([language(tags.ogLocale), 'og'], [language(og.ogLocale), 'html'], [language(ctx.contentLanguage), 'http']));
  page.mediaType = ctx.mediaType;
  page.charset = ctx.charset;
  const thumbnail = oembed?.thumbnail_url ? [{ url: oembed.thumbnail_url, width: oembed.thumbnail_width, height: oembed.thumbnail_height }] : undefined;
  const body = ex.bodyImage ? [{ url: ex.bodyImage.src, width: ex.bodyImage.width, height: ex.bodyImage.height, alt: ex.bodyImage.alt }] : undefined;
  set('image', first<Media[]>([media('image', og.ogImage, base), 'og'], [media('image', og.twitterImage, base), 'twitter'], [media('image', thumbnail, base), 'oembed'], [media('image', body, base), 'html']));
  // a twitter:player is a page to frame, hence text/html
  const players = og.twitterPlayer?.map((p) => ({ ...p, type: 'text/html' }));
  const videos = first<Media[]>([media('video', og.ogVideo, base), 'og'], [media('video', players, base), 'twitter']);
  const seconds = size(og.ogVideoDuration);
  const firstVideo = videos?.[0][0];
  if (firstVideo && seconds) firstVideo.duration = `PT${seconds}S`;
  set('video', videos);
  set('favicon', first<string>([absoluteUrl(links.icon, base), 'html'], [new URL('/favicon.ico', base).href, 'default']));
  set('published', first<string>([date(og.articlePublishedTime ?? og.ogArticlePublishedTime), 'og']));
  set('updated', first<string>([date(og.articleModifiedTime ?? og.ogArticleModifiedTime ?? tags.ogUpdatedTime), 'og']));
  if (ctx.oembed) Object.assign(page, ctx.oembed);
  page.sources = sources;
  return page;
}
