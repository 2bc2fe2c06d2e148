// The ActivityStreams shapes a feed becomes, whatever format it came in: the feed itself (the
// actor of every post) and its entries. translate.ts (RSS/Atom) and jsonfeed.ts fill them.
import { createHash } from 'node:crypto';
import type { ASObject } from '../../src/platform/types.js';
import { absolute, absolutizeHtml, htmlToText, shorten } from './html.js';

/** A parsed feed: what the cache keeps and every fetch of it selects from. */
export interface FeedDoc {
  feed: ASObject;
  /** in the feed's own order */
  entries: ASObject[];
}

export interface FeedParts {
  url: string;
  title?: string | undefined;
  link?: string | undefined;
  /** as the feed writes it (may be HTML) */
  description?: string | undefined;
  image?: string | undefined;
  imageTitle?: string | undefined;
  language?: string | undefined;
  updated?: string | undefined;
}

export interface Person { name?: string | undefined; email?: string | undefined; url?: string | undefined }
export interface Enclosure { url?: string | undefined; mediaType?: string | undefined; length?: string | number | undefined }

export interface EntryParts {
  /** what relative links of this entry resolve against (xml:base, else the feed's URL) */
  base: string;
  id?: string | undefined;
  title?: string | undefined;
  link?: string | undefined;
  published?: string | undefined;
  updated?: string | undefined;
  author?: Person | undefined;
  categories: (string | undefined)[];
  enclosures: Enclosure[];
  /** the full content, HTML */
  html?: string | undefined;
  /** a summary the feed gives (HTML), when it has one apart from the content */
  summaryHtml?: string | undefined;
  /** base of the content's own relative links, when it declares one */
  contentBase?: string | undefined;
  image?: string | undefined;
}

const clean = (s: string | undefined): string | undefined => s?.trim() || undefined;

// toISOString()'s own form, with a day every month has and no 24:00: Date.parse and toISOString
// give it back unchanged (rss-parser hands every RSS pubDate over in this form already)
const ISO = /^\d{4}-(?:0[1-9]|1[0-2])-(?:0[1-9]|1\d|2[0-8])T(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d\.\d{3}Z$/;

/** Any date a feed writes (RFC 822, RFC 3339, ...) as ISO 8601; undefined when unreadable. */
export function isoDate(raw: string | undefined): string | undefined {
  const s = clean(raw);
  if (!s) return undefined;
  if (ISO.test(s)) return s;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

/** A copy without the undefined values and empty lists (a copy: deleting keys would leave V8 a slow dictionary object to clone and serialise). */
function compact<T extends Record<string, unknown>>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const k in o) {
    const v = o[k];
    if (v !== undefined && !(Array.isArray(v) && v.length === 0)) out[k] = v;
  }
  return out as T;
}

export function feedActor(p: FeedParts): ASObject {
  const link = absolute(p.link, p.url);
  const description = clean(p.description);
  const summary = description ? htmlToText(description) || undefined : undefined;
  const image = absolute(p.image, p.url);
  return compact({
    id: p.url,
    type: 'feed',
    name: clean(p.title) ?? link ?? p.url,
    url: link,
    link,
    summary,
    description,
    image: image ? compact({ type: 'image', url: image, name: clean(p.imageTitle) }) : undefined,
    language: clean(p.language),
    updated: isoDate(p.updated),
  });
}

function person(p: Person | undefined, base: string): ASObject | undefined {
  const name = clean(p?.name);
  const email = clean(p?.email);
  const url = absolute(p?.url, base);
  if (!name && !email && !url) return undefined;
  return compact({ type: 'person', name: name ?? email, email, url });
}

/** RSS writes `jo@example.org (Jo Doe)`, or just one of the two. */
export function rssPerson(raw: string | undefined): Person | undefined {
  const s = clean(raw);
  if (!s) return undefined;
  const m = /^([^\s()<>]+@[^\s()<>]+)\s*(?:\((.+)\))?$/.exec(s);
  return m ? { email: m[1], name: m[2] } : { name: s };
}

function attachment(e: Enclosure, base: string): ASObject | undefined {
  const url = absolute(e.url, base);
  if (!url) return undefined;
  const mediaType = clean(e.mediaType);
  const kind = mediaType?.split('/')[0];
  const length = Number(e.length);
  return compact({
    type: kind === 'audio' || kind === 'video' || kind === 'image' ? kind : 'document',
    url,
    mediaType,
    length: Number.isSafeInteger(length) && length > 0 ? length : undefined,
  });
}

export function entryObject(p: EntryParts): ASObject {
  const url = absolute(p.link, p.base);
  const html = clean(p.html) ? absolutizeHtml(p.html!.trim(), p.contentBase ?? p.base) : undefined;
  const summarySource = clean(p.summaryHtml) ?? html;
  const summary = summarySource ? shorten(htmlToText(summarySource)) || undefined : undefined;
  const title = clean(p.title);
  const published = isoDate(p.published);
  const fallbackId = () => `${p.base}#${createHash('sha256').update(`${title ?? ''}\n${published ?? ''}\n${html ?? ''}`).digest('hex').slice(0, 16)}`;
  const categories = [...new Set(p.categories.map(clean).filter((c): c is string => !!c))];
  const image = absolute(p.image, p.base);
  const enclosures = p.enclosures.map((e) => attachment(e, p.base)).filter((e): e is ASObject => !!e);
  const updated = isoDate(p.updated);
  const author = person(p.author, p.base);
  // what compact() would make of it, key by key in the same order, without the object in between
  const o: ASObject = { type: title ? 'article' : 'note', id: clean(p.id) ?? url ?? fallbackId() };
  if (title !== undefined) {
    o.name = title;
    o.title = title;
  }
  if (url !== undefined) o.url = url;
  if (published !== undefined) o.published = published;
  if (updated !== undefined) o.updated = updated;
  if (author !== undefined) o.author = author;
  if (categories.length) o.categories = categories;
  if (enclosures.length) o.enclosures = enclosures;
  if (image) o.image = { type: 'image', url: image };
  if (html !== undefined) o.content = html;
  if (html) o.mediaType = 'text/html';
  if (summary !== undefined) o.summary = summary;
  return o;
}
