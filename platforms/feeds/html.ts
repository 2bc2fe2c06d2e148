// The little HTML work a feed needs: plain text for summaries, absolute links inside content
// (a client renders it far from the feed's origin), and escaping for text-only content.

// HTML 4 Latin-1 names map to U+00A0..U+00FF in this order; the rest are the common typographic ones.
const LATIN1 =
  'nbsp iexcl cent pound curren yen brvbar sect uml copy ordf laquo not shy reg macr deg plusmn sup2 sup3 acute micro para middot cedil sup1 ordm raquo frac14 frac12 frac34 iquest ' +
  'Agrave Aacute Acirc Atilde Auml Aring AElig Ccedil Egrave Eacute Ecirc Euml Igrave Iacute Icirc Iuml ETH Ntilde Ograve Oacute Ocirc Otilde Ouml times Oslash Ugrave Uacute Ucirc Uuml Yacute THORN szlig ' +
  'agrave aacute acirc atilde auml aring aelig ccedil egrave eacute ecirc euml igrave iacute icirc iuml eth ntilde ograve oacute ocirc otilde ouml divide oslash ugrave uacute ucirc uuml yacute thorn yuml';
const ENTITIES = new Map<string, string>([
  ['amp', '&'], ['lt', '<'], ['gt', '>'], ['quot', '"'], ['apos', "'"],
  ['hellip', '\u2026'], ['mdash', '\u2014'], ['ndash', '\u2013'], ['lsquo', '\u2018'], ['rsquo', '\u2019'], ['sbquo', '\u201a'],
  ['ldquo', '\u201c'], ['rdquo', '\u201d'], ['bdquo', '\u201e'], ['bull', '\u2022'], ['trade', '\u2122'], ['euro', '\u20ac'],
  ['dagger', '\u2020'], ['Dagger', '\u2021'], ['permil', '\u2030'], ['lsaquo', '\u2039'], ['rsaquo', '\u203a'], ['prime', '\u2032'],
  ['ensp', '\u2002'], ['emsp', '\u2003'], ['thinsp', '\u2009'], ['zwnj', '\u200c'], ['zwj', '\u200d'], ['OElig', '\u0152'], ['oelig', '\u0153'],
  ['Scaron', '\u0160'], ['scaron', '\u0161'], ['Yuml', '\u0178'], ['fnof', '\u0192'], ['circ', '\u02c6'], ['tilde', '\u02dc'],
  ...LATIN1.split(' ').map((name, i) => [name, String.fromCharCode(0xa0 + i)] as [string, string]),
]);

/** Decodes numeric references and the named entities above; unknown names stay as written. */
export function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z][a-z0-9]*);/gi, (whole, ref: string) => {
    if (ref[0] !== '#') return ENTITIES.get(ref) ?? whole;
    const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

// One pass over the markup: comments and scripts/styles go, block-level tags become a space, every
// other tag goes. The alternatives are tried in this order at each position.
const MARKUP = /(<!--[\s\S]*?-->)|<(script|style)\b[\s\S]*?<\/\2\s*>|<\/?(p|div|br|li|ul|ol|h[1-6]|blockquote|tr|td|th|table|section|article|figure|figcaption|pre|hr)\b[^>]*>|<[^>]*>/gi;

/** HTML -> one line of plain text: scripts and styles dropped, tags become spaces, entities decoded. */
export function htmlToText(html: string): string {
  const stripped = html.includes('<') ? html.replace(MARKUP, (_whole, comment?: string, script?: string, block?: string) => (comment || script || block ? ' ' : '')) : html;
  return (stripped.includes('&') ? decodeEntities(stripped) : stripped).replace(/\s+/g, ' ').trim();
}

/** Plain text cut at a word boundary, for `summary`. */
export function shorten(text: string, max = 400): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).replace(/[\s.,;:!?-]+$/, '')}\u2026`;
}

// An absolute http(s) URL that the WHATWG parser would give back unchanged: a lower-case host name
// whose last label starts with a letter (no IP forms to normalise, no punycode to check), no port,
// a path from the first slash on with no dot segments, and only characters that no part of a URL
// percent-encodes. Most links in feeds are like this, and they skip the parser.
const PLAIN_URL = /^https?:\/\/(?!.*xn--)(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)*[a-z](?:[a-z0-9-]*[a-z0-9])?(?![^?#]*\/\.)(?![^?#]*%2e)\/[A-Za-z0-9\-._~!$&()*+,;=:@/%]*(?:\?[A-Za-z0-9\-._~!$&()*+,;=:@/%?]*)?(?:#[A-Za-z0-9\-._~!$&()*+,;=:@/%?]*)?$/i;
// the host part is checked case-sensitively below: [a-z] under the i flag also takes upper case
const LOWER_HOST = /^https?:\/\/[^/A-Z]*\//;

// A path from the root ("/2024/03/a.html?x=1") of the same plain kind: against an http(s) base it
// is the base's origin followed by the path as written.
const PLAIN_ROOT_PATH = /^(?![^?#]*\/\.)(?![^?#]*%2e)\/(?!\/)[A-Za-z0-9\-._~!$&()*+,;=:@/%]*(?:\?[A-Za-z0-9\-._~!$&()*+,;=:@/%?]*)?(?:#[A-Za-z0-9\-._~!$&()*+,;=:@/%?]*)?$/i;
let lastBase: { base: string; origin: string | undefined } | undefined;

function originOf(base: string): string | undefined {
  if (lastBase?.base !== base) {
    let origin: string | undefined;
    try {
      const u = new URL(base);
      // a base with user info keeps it in what it resolves: the parser's business
      origin = (u.protocol === 'http:' || u.protocol === 'https:') && !u.username && !u.password ? u.origin : undefined;
    } catch {
      origin = undefined;
    }
    lastBase = { base, origin };
  }
  return lastBase.origin;
}

/** Resolves a URL against a base (an absolute URL, as every base here is); undefined when it is not one. */
export function absolute(url: string | undefined, base: string | undefined): string | undefined {
  const raw = url?.trim();
  if (!raw) return undefined;
  if (PLAIN_URL.test(raw) && LOWER_HOST.test(raw)) return raw;
  if (base && raw[0] === '/' && PLAIN_ROOT_PATH.test(raw)) {
    const origin = originOf(base);
    if (origin) return origin + raw;
  }
  try {
    return new URL(raw, base).href;
  } catch {
    return undefined;
  }
}

const LINK_ATTRIBUTE = /\s(?:href|src|poster)\s*=/i;

/** Rewrites relative href/src attributes so the HTML still points where the feed meant. */
export function absolutizeHtml(html: string, base: string | undefined): string {
  if (!base || !LINK_ATTRIBUTE.test(html)) return html;
  return html.replace(/(<[a-z][^>]*?\s(?:href|src|poster)\s*=\s*)(["'])([^"']*)\2/gi, (whole, head: string, quote: string, value: string) => {
    if (!value || /^(?:[a-z][a-z0-9+.-]*:|#)/i.test(value.trim())) return whole;
    const abs = absolute(decodeEntities(value), base);
    return abs ? `${head}${quote}${escapeHtml(abs)}${quote}` : whole;
  });
}
