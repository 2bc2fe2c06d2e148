// What open-graph-scraper does not look for, read straight from the HTML: <link> elements (oEmbed
// discovery, canonical URL, icons) and the first large <img> of the body. A tag scanner, not a
// parser: enough for attributes, and it never throws on broken markup.
const TAG = /<(link|img)\b((?:[^>"']|"[^"]*"|'[^']*')*)>/gi;
const ATTR = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;
// skipped before scanning: markup there is not part of the page
const INVISIBLE = /<!--[\s\S]*?-->|<(script|style|template)\b[\s\S]*?<\/\1\s*>/gi;
/** a declared side smaller than this marks an icon, a spacer or a tracking pixel */
export const MIN_IMAGE_SIDE = 100;

export interface HtmlLinks {
  oembed?: string;
  canonical?: string;
  icon?: string;
}

export interface BodyImage {
  src: string;
  width?: number;
  height?: number;
  alt?: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** Attribute values carry entities (`&amp;` in query strings above all). */
export function decodeEntities(value: string): string {
  return value.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);?/gi, (whole, name: string) => {
    if (name[0] === '#') {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

export function attributes(raw: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of raw.matchAll(ATTR)) {
    const name = m[1]!.toLowerCase();
    if (!out.has(name)) out.set(name, decodeEntities(m[2] ?? m[3] ?? m[4] ?? '').trim());
  }
  return out;
}

/** The markup a scan reads: comments, scripts, styles and templates taken out. */
export function visibleMarkup(html: string): string {
  return html.replace(INVISIBLE, '');
}

function* tags(visible: string, name: 'link' | 'img'): Generator<Map<string, string>> {
  for (const m of visible.matchAll(TAG)) {
    if (m[1]!.toLowerCase() === name) yield attributes(m[2] ?? '');
  }
}

const ICON_RELS = ['icon', 'shortcut icon', 'apple-touch-icon', 'mask-icon'];

/** `visible` is visibleMarkup() of the page. */
export function scanLinks(visible: string): HtmlLinks {
  const found: HtmlLinks = {};
  let iconRank = ICON_RELS.length;
  for (const a of tags(visible, 'link')) {
    const rel = (a.get('rel') ?? '').toLowerCase().split(/\s+/);
    const href = a.get('href');
    if (!href) continue;
    const type = (a.get('type') ?? '').toLowerCase();
    if (!found.oembed && rel.includes('alternate') && /^(application|text)\/json\+oembed$/.test(type)) found.oembed = href;
    if (!found.canonical && rel.includes('canonical')) found.canonical = href;
    const rank = ICON_RELS.indexOf(rel.join(' '));
    const r = rank >= 0 ? rank : rel.includes('icon') ? 0 : -1;
    if (r >= 0 && r < iconRank) {
      found.icon = href;
      iconRank = r;
    }
  }
  return found;
}

function side(value: string | undefined): number | undefined {
  const n = value ? parseInt(value, 10) : NaN;
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/**
 * The first <img> that looks like content: a real URL (not data:), no declared side under
 * MIN_IMAGE_SIDE, not hidden from assistive technology as decoration, not an .ico. `visible` is
 * visibleMarkup() of the page.
 */
export function firstLargeImage(visible: string): BodyImage | undefined {
  for (const a of tags(visible, 'img')) {
    const src = [a.get('src'), a.get('data-src'), a.get('data-lazy-src')].find((s) => s && !/^data:/i.test(s));
    if (!src || /\.ico(\?|#|$)/i.test(src)) continue;
    if (a.get('aria-hidden') === 'true' || a.get('role') === 'presentation') continue;
    const width = side(a.get('width'));
    const height = side(a.get('height'));
    if ((width !== undefined && width < MIN_IMAGE_SIDE) || (height !== undefined && height < MIN_IMAGE_SIDE)) continue;
    const alt = a.get('alt');
    return { src, ...(width ? { width } : {}), ...(height ? { height } : {}), ...(alt ? { alt } : {}) };
  }
  return undefined;
}
