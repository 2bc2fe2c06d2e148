// Reads a page's metadata from its HTML: open-graph-scraper for the <meta> tags (Open Graph,
// Twitter cards, and its own <title>/description/lang fallbacks), html-fallback.ts for what it
// leaves out. open-graph-scraper only ever gets `html`: given a URL it would fetch by itself,
// past the address guard.
import ogs from 'open-graph-scraper';
import type { OgObject } from 'open-graph-scraper/types';
import { HubError } from '../../src/errors.js';
import { attributes, firstLargeImage, scanLinks, visibleMarkup, type BodyImage, type HtmlLinks } from './html-fallback.js';

export type { OgObject };

export interface Extracted {
  og: OgObject;
  /** <meta> values read as they are, so a fallback is told apart from the tag itself */
  tags: { ogTitle?: string; ogDescription?: string; ogLocale?: string; ogUpdatedTime?: string; applicationName?: string };
  links: HtmlLinks;
  bodyImage?: BodyImage;
}

// open-graph-scraper writes its fallbacks into the og* fields; these copies say whether the page
// itself had the tag
const CUSTOM_TAGS = [
  { property: 'og:title', fieldName: 'ogTitle', multiple: false },
  { property: 'og:description', fieldName: 'ogDescription', multiple: false },
  { property: 'og:locale', fieldName: 'ogLocale', multiple: false },
  { property: 'og:updated_time', fieldName: 'ogUpdatedTime', multiple: false },
  { property: 'application-name', fieldName: 'applicationName', multiple: false },
  // open-graph-scraper sorts media (GIFs first, then by size); Open Graph prefers the first tag
  { property: 'og:image:secure_url', fieldName: 'order1', multiple: true },
  { property: 'og:image', fieldName: 'order2', multiple: true },
  { property: 'og:image:url', fieldName: 'order3', multiple: true },
  { property: 'og:video', fieldName: 'order4', multiple: true },
  { property: 'og:video:url', fieldName: 'order5', multiple: true },
];

// The <meta> names (property, name or itemprop, lower case) whose open-graph-scraper fields
// translate.ts reads, or that its fallbacks and CUSTOM_TAGS look at. open-graph-scraper compares
// every <meta> with each of its ~190 fields, so the others are left out of what it is given.
const READ = new Set([
  'og:url', 'twitter:url', 'og:title', 'twitter:title', 'og:description', 'twitter:description', 'og:site_name', 'og:type', 'og:locale',
  'og:image', 'og:image:url', 'og:image:secure_url', 'og:image:width', 'og:image:height', 'og:image:type', 'og:image:alt',
  'twitter:image', 'twitter:image:src', 'twitter:image:width', 'twitter:image:height', 'twitter:image:alt',
  'twitter:player', 'twitter:player:width', 'twitter:player:height', 'twitter:player:stream',
  'og:video', 'og:video:url', 'og:video:width', 'og:video:height', 'og:video:type', 'og:video:duration',
  'article:published_time', 'og:article:published_time', 'article:modified_time', 'og:article:modified_time',
  'og:updated_time', 'application-name', 'title', 'description', 'inlanguage',
]);
/** a cheap first test: a name that READ may hold */
const MAYBE_READ = /\b(?:property|name|itemprop)\s*=\s*["']?\s*(?:og:|twitter:|article:|title|description|application-name|inlanguage)/i;
const META = /<meta\b((?:[^>"']|"[^"]*"|'[^']*')*)>/gi;
const TITLE = /<title\b[^>]*>[\s\S]*?<\/title\s*>/gi;
const HTML_TAG = /<html\b(?:[^>"']|"[^"]*"|'[^']*')*>/i;

/**
 * What open-graph-scraper needs of a page's <head>, as a document of its own: the <html> tag (its
 * lang), the <title>s and the <meta> tags above, without the styles, scripts, JSON-LD and links
 * it would otherwise parse (with cheerio/parse5) and walk with its fallback selectors. The
 * declared charset is UTF-8 because the text is decoded already (it spares open-graph-scraper a
 * charset guess over the text, whose answer is not used). Undefined where the markup is one a
 * scan could read differently from an HTML parser (<noscript> in the head, an unclosed <title>):
 * then the head goes to open-graph-scraper as it is.
 */
function headDocument(visible: string): string | undefined {
  if (/<noscript\b/i.test(visible)) return undefined;
  const titles = visible.match(TITLE) ?? [];
  if (titles.length !== (visible.match(/<title\b/gi)?.length ?? 0)) return undefined;
  const metas: string[] = [];
  for (const m of visible.matchAll(META)) {
    // most tags are told apart without reading their attributes (an entity in one means reading them)
    if (!MAYBE_READ.test(m[0]) && !m[0].includes('&')) continue;
    const a = attributes(m[1] ?? '');
    if ([a.get('property'), a.get('name'), a.get('itemprop')].some((v) => v !== undefined && READ.has(v.toLowerCase()))) metas.push(m[0]);
  }
  return `${HTML_TAG.exec(visible)?.[0] ?? '<html>'}<head><meta charset="utf-8">${titles.join('')}${metas.join('')}</head></html>`;
}

/**
 * `headOnly`: `html` is a page read up to its </head> (the common case), and open-graph-scraper
 * gets only headDocument() of it. A whole page goes to it as it is: its fallbacks look for a
 * title in the body too.
 */
export async function extract(html: string, headOnly = false): Promise<Extracted> {
  const visible = visibleMarkup(html);
  const forScraper = (headOnly && headDocument(visible)) || html;
  let og: OgObject;
  try {
    // url, image and favicon fallbacks are ours: they resolve relative URLs and skip small images
    const res = await ogs({ html: forScraper, onlyGetOpenGraphInfo: ['url', 'image', 'favicon'], customMetaTags: CUSTOM_TAGS });
    og = res.result;
  } catch (rejection) {
    throw scraperError(rejection);
  }
  const tags = (og.customMetaTags ?? {}) as Extracted['tags'] & Record<string, string[] | undefined>;
  const order = [tags.order1, tags.order2, tags.order3, tags.order4, tags.order5].flatMap((o) => o ?? []);
  if (og.ogImage) og.ogImage = pageOrder(og.ogImage, order);
  if (og.ogVideo) og.ogVideo = pageOrder(og.ogVideo, order);
  const bodyImage = firstLargeImage(visible);
  return { og, tags, links: scanLinks(visible), ...(bodyImage ? { bodyImage } : {}) };
}

function pageOrder<T extends { url: string }>(items: T[], order: string[]): T[] {
  const at = (m: T) => {
    const i = order.indexOf(m.url);
    return i < 0 ? order.length : i;
  };
  return [...items].sort((a, b) => at(a) - at(b));
}

/** open-graph-scraper rejects with a plain `{error: true, result: {error: message}}`, not an Error. */
export function scraperError(rejection: unknown): HubError {
  if (rejection instanceof HubError) return rejection;
  const r = rejection as { result?: { error?: unknown }; message?: unknown } | null;
  const why = typeof r?.result?.error === 'string' ? r.result.error : typeof r?.message === 'string' ? r.message : String(rejection);
  return new HubError('PLATFORM_ERROR', `the page's metadata could not be read (open-graph-scraper: ${why})`);
}
