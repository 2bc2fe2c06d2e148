// Reads a page's metadata from its HTML: open-graph-scraper for the <meta> tags (Open Graph,
// Twitter cards, and its own <title>/description/lang fallbacks), html-fallback.ts for what it
// leaves out. open-graph-scraper only ever gets `html`: given a URL it would fetch by itself,
// past the address guard.
import ogs from 'open-graph-scraper';
import type { OgObject } from 'open-graph-scraper/types';
import { HubError } from '../../src/errors.js';
import { firstLargeImage, scanLinks, type BodyImage, type HtmlLinks } from './html-fallback.js';

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

export async function extract(html: string): Promise<Extracted> {
  let og: OgObject;
  try {
    // url, image and favicon fallbacks are ours: they resolve relative URLs and skip small images
    const res = await ogs({ html, onlyGetOpenGraphInfo: ['url', 'image', 'favicon'], customMetaTags: CUSTOM_TAGS });
    og = res.result;
  } catch (rejection) {
    throw scraperError(rejection);
  }
  const tags = (og.customMetaTags ?? {}) as Extracted['tags'] & Record<string, string[] | undefined>;
  const order = [tags.order1, tags.order2, tags.order3, tags.order4, tags.order5].flatMap((o) => o ?? []);
  if (og.ogImage) og.ogImage = pageOrder(og.ogImage, order);
  if (og.ogVideo) og.ogVideo = pageOrder(og.ogVideo, order);
  const bodyImage = firstLargeImage(html);
  return { og, tags, links: scanLinks(html), ...(bodyImage ? { bodyImage } : {}) };
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
