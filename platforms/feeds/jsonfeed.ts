// JSON Feed 1.0/1.1 (https://jsonfeed.org/version/1.1) -> ActivityStreams. It is plain JSON, so a
// small mapping does what a parser would.
import { HubError } from '../../src/errors.js';
import { escapeHtml } from './html.js';
import { entryObject, feedActor, type FeedDoc, type Person } from './objects.js';

type Json = Record<string, unknown>;
const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const s = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() ? v : undefined);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function author(o: Json): Person | undefined {
  // 1.1 has `authors`, 1.0 had `author`
  const a = arr(o.authors).find(isObj) ?? (isObj(o.author) ? o.author : undefined);
  return a ? { name: s(a.name), url: s(a.url) } : undefined;
}

export function isJsonFeed(value: unknown): value is Json {
  return isObj(value) && typeof value.version === 'string' && value.version.startsWith('https://jsonfeed.org/version/');
}

export function fromJsonFeed(text: string, url: string): FeedDoc {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (err) {
    throw new HubError('PLATFORM_ERROR', `${url} is not valid JSON (${(err as Error).message}), so it is not a JSON Feed`);
  }
  if (!isJsonFeed(doc)) {
    throw new HubError('PLATFORM_ERROR', `${url} is JSON but not a JSON Feed (no "version": "https://jsonfeed.org/version/1.1")`);
  }
  return {
    feed: feedActor({
      url,
      title: s(doc.title),
      link: s(doc.home_page_url),
      description: s(doc.description),
      image: s(doc.icon) ?? s(doc.favicon),
      language: s(doc.language),
    }),
    entries: arr(doc.items).filter(isObj).map((item) =>
      entryObject({
        base: url,
        id: s(item.id) ?? (typeof item.id === 'number' ? String(item.id) : undefined),
        title: s(item.title),
        link: s(item.url) ?? s(item.external_url),
        published: s(item.date_published),
        updated: s(item.date_modified),
        author: author(item) ?? author(doc),
        categories: arr(item.tags).map(s),
        enclosures: arr(item.attachments).filter(isObj).map((a) => ({ url: s(a.url), mediaType: s(a.mime_type), length: typeof a.size_in_bytes === 'number' ? a.size_in_bytes : undefined })),
        html: s(item.content_html) ?? (s(item.content_text) ? escapeHtml(item.content_text as string) : undefined),
        summaryHtml: s(item.summary) ? escapeHtml(item.summary as string) : undefined,
        image: s(item.image) ?? s(item.banner_image),
      }),
    ),
  };
}
