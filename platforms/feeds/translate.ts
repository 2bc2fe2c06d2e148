// rss-parser output -> ActivityStreams. rss-parser reads the XML (parse.ts hands it the decoded
// text); the raw fields it does not interpret (links with rel and xml:base, every enclosure, Atom
// content types, authors) arrive through its customFields and are read here.
import type { ASObject } from '../../src/platform/types.js';
import { absolute, escapeHtml, htmlToText } from './html.js';
import { entryObject, feedActor, rssPerson, type Enclosure, type FeedDoc, type Person } from './objects.js';

export type FeedKind = 'rss' | 'rdf' | 'atom';

/** Elements rss-parser would interpret badly are renamed on the way in (see parse.ts). */
export const RENAMED: Record<string, string> = { link: 'hg:link', published: 'hg:published', updated: 'hg:updated' };

const raw = (from: string, to: string) => [from, to, { keepArray: true }];
export const CUSTOM_FIELDS = {
  feed: [raw('$', 'attrs'), raw('hg:link', 'links'), raw('author', 'authors'), 'subtitle', 'icon', 'logo', 'hg:updated', 'dc:language', 'dc:date'],
  item: [
    raw('$', 'attrs'), raw('hg:link', 'links'), raw('enclosure', 'enclosures'), raw('category', 'cats'), raw('dc:subject', 'subjects'),
    raw('content', 'contentRaw'), raw('summary', 'summaryRaw'), raw('title', 'titleRaw'), raw('author', 'authors'), raw('guid', 'guidRaw'),
    raw('media:thumbnail', 'thumbnails'), 'hg:published', 'hg:updated', 'dc:date', 'dc:modified', 'dcterms:modified',
  ],
};

/**
 * Long CDATA sections reach rss-parser as `OPEN index CLOSE` (see parse.ts); the held text goes
 * back into a string when it is read (text, str), before it is trimmed. Set by fromParsed for the
 * time of one (synchronous) translation. Attributes never hold a token: CDATA is element text.
 */
export const OPEN = '\uE000';
export const CLOSE = '\uE001';
const TOKEN = /\uE000(\d+)\uE001/g;
let held: string[] = [];
const restore = (s: string): string => (held.length && s.includes(OPEN) ? s.replace(TOKEN, (_m, i: string) => held[Number(i)] ?? '') : s);

type Node = Record<string, unknown>;
// xml2js: an element is a string when it has only text, else {_: text, $: attributes, child: [...]}
const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);
const text = (v: unknown): string | undefined => {
  const s = typeof v === 'string' ? v : isNode(v) && typeof v._ === 'string' ? v._ : undefined;
  return s === undefined ? undefined : restore(s).trim() || undefined;
};
const attrs = (v: unknown): Record<string, string> => (isNode(v) && isNode(v.$) ? (v.$ as Record<string, string>) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : v === undefined || v === null ? [] : [v]);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? restore(v).trim() || undefined : text(v));
/** The base a node's relative links resolve against: its xml:base (itself relative to the parent's), else the parent's. */
const rebase = (attributes: unknown, base: string): string => (isNode(attributes) && absolute(str(attributes['xml:base']), base)) || base;

/** Inner markup of every `type="xhtml"` element of this name, in document order: xml2js loses the order of mixed content, the source does not. */
function xhtmlBlocks(source: string, tag: string): string[] {
  const re = new RegExp(`<(?:[\\w-]+:)?${tag}\\b[^>]*\\btype\\s*=\\s*["']xhtml["'][^>]*>([\\s\\S]*?)</(?:[\\w-]+:)?${tag}\\s*>`, 'g');
  return [...source.matchAll(re)].map((m) => {
    const inner = m[1] ?? '';
    const div = /^\s*<(?:[\w-]+:)?div\b[^>]*>([\s\S]*)<\/(?:[\w-]+:)?div\s*>\s*$/.exec(inner);
    return (div?.[1] ?? inner).replace(/<(\/?)[a-z][\w-]*:(?=[a-z])/gi, '<$1').trim();
  });
}

/** Atom text constructs: text, html or xhtml; a text one is escaped so `content` is always HTML. */
function atomHtml(node: unknown, xhtml: string[]): string | undefined {
  if (node === undefined) return undefined;
  const type = (attrs(node).type ?? 'text').toLowerCase();
  if (type === 'xhtml') return xhtml.shift();
  const value = text(node);
  if (value === undefined || attrs(node).src) return undefined;
  return type === 'html' || type.includes('html') ? value : escapeHtml(value);
}

function links(v: unknown): { href: string; rel: string; type?: string | undefined; length?: string | undefined; node: unknown }[] {
  return list(v).flatMap((l) => {
    // RSS: <link>url</link>; Atom: <link href rel type length/>
    const href = attrs(l).href ?? text(l);
    return href ? [{ href, rel: attrs(l).rel ?? 'alternate', type: attrs(l).type, length: attrs(l).length, node: l }] : [];
  });
}

function atomPerson(v: unknown): Person | undefined {
  const a = list(v)[0];
  if (!isNode(a)) return rssPerson(str(a));
  return { name: str(list(a.name)[0]), email: str(list(a.email)[0]), url: str(list(a.uri)[0]) };
}

/** The first link's address: links(v)[0]?.href without the list. */
function firstHref(v: unknown): string | undefined {
  for (const l of list(v)) {
    const href = attrs(l).href ?? text(l);
    if (href) return href;
  }
  return undefined;
}

function rssEntry(item: Node, base: string): ASObject {
  const guid = list(item.guidRaw)[0];
  const guidText = text(guid);
  // isPermaLink defaults to true, but many feeds leave it out on guids that are no URL at all
  const permalink = attrs(guid).isPermaLink !== 'false' && /^https?:\/\//i.test(guidText ?? '') ? guidText : undefined;
  const encoded = str(item['content:encoded']);
  const description = str(item.content);
  return entryObject({
    base,
    id: guidText ?? str(item['rdf:about']),
    title: str(item.title),
    link: firstHref(item.links) ?? permalink,
    published: str(item.isoDate) ?? str(item['dc:date']),
    updated: str(item['dc:modified']) ?? str(item['dcterms:modified']),
    author: rssPerson(str(item.creator) ?? str(item.author)),
    categories: [...list(item.cats), ...list(item.subjects)].map(text),
    enclosures: list(item.enclosures).map((e): Enclosure => {
      const a = attrs(e);
      return { url: a.url, mediaType: a.type, length: a.length };
    }),
    html: encoded ?? description,
    summaryHtml: encoded ? description : undefined,
    image: attrs(list(item.thumbnails)[0]).url,
  });
}

function atomEntry(item: Node, base: string, xhtml: { content: string[]; summary: string[] }, feedAuthor: Person | undefined): ASObject {
  const all = links(item.links);
  const alternate = all.find((l) => l.rel === 'alternate' && (!l.type || l.type.includes('html'))) ?? all.find((l) => l.rel === 'alternate');
  const content = list(item.contentRaw)[0];
  // each xhtml block is taken once, in document order
  const contentHtml = atomHtml(content, xhtml.content);
  const summaryHtml = atomHtml(list(item.summaryRaw)[0], xhtml.summary);
  const titleNode = list(item.titleRaw)[0];
  const title = str(titleNode);
  const titleType = attrs(titleNode).type ?? 'text';
  return entryObject({
    base,
    id: str(item.id),
    title: title && titleType !== 'text' ? htmlToText(title) : title,
    link: alternate ? absolute(alternate.href, rebase(attrs(alternate.node), base)) : undefined,
    published: str(item['hg:published']),
    updated: str(item['hg:updated']),
    author: atomPerson(item.authors) ?? feedAuthor, // an entry without one has the feed's
    categories: list(item.cats).map((c) => attrs(c).label ?? attrs(c).term ?? text(c)),
    enclosures: all.filter((l) => l.rel === 'enclosure').map((l) => ({ url: absolute(l.href, rebase(attrs(l.node), base)), mediaType: l.type, length: l.length })),
    html: contentHtml ?? summaryHtml,
    summaryHtml: contentHtml ? summaryHtml : undefined,
    contentBase: contentHtml ? rebase(attrs(content), base) : undefined,
    image: attrs(list(item.thumbnails)[0]).url,
  });
}

/**
 * `parsed` is rss-parser's output for the document at `url`, whose root says which kind it is;
 * `held` the long CDATA sections parse.ts took out of it.
 */
export function fromParsed(parsed: Node, kind: FeedKind, url: string, source: string, longCdata: string[] = []): FeedDoc {
  held = longCdata;
  try {
    return translate(parsed, kind, url, source);
  } finally {
    held = [];
  }
}

function translate(parsed: Node, kind: FeedKind, url: string, source: string): FeedDoc {
  const base = rebase(parsed.attrs, url);
  const feedLinks = links(parsed.links);
  const image = isNode(parsed.image) ? parsed.image : undefined;
  const itunes = isNode(parsed.itunes) ? parsed.itunes : undefined;
  const items = list(parsed.items).filter(isNode);
  if (kind === 'atom') {
    const xhtml = { content: xhtmlBlocks(source, 'content'), summary: xhtmlBlocks(source, 'summary') };
    const feedAuthor = atomPerson(parsed.authors);
    const site = feedLinks.find((l) => l.rel === 'alternate') ?? feedLinks.find((l) => l.rel !== 'self');
    return {
      feed: feedActor({
        url,
        title: str(parsed.title),
        link: site ? absolute(site.href, rebase(attrs(site.node), base)) : undefined,
        description: str(parsed.subtitle),
        image: absolute(str(parsed.logo) ?? str(parsed.icon), base),
        language: isNode(parsed.attrs) ? str(parsed.attrs['xml:lang']) : undefined,
        updated: str(parsed['hg:updated']),
      }),
      entries: items.map((item) => atomEntry(item, rebase(item.attrs, base), xhtml, feedAuthor)),
    };
  }
  return {
    feed: feedActor({
      url,
      title: str(parsed.title),
      link: absolute(feedLinks[0]?.href, base),
      description: str(parsed.description),
      image: absolute(str(image?.url) ?? str(itunes?.image), base),
      imageTitle: str(image?.title),
      language: str(parsed.language) ?? str(parsed['dc:language']),
      updated: str(parsed.lastBuildDate) ?? str(parsed.pubDate) ?? str(parsed['dc:date']),
    }),
    entries: items.map((item) => rssEntry(item, rebase(item.attrs, base))),
  };
}
