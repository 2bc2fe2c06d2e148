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
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-f]+|#\d+|[a-z][a-z0-9]*);/gi, (whole, ref: string) => {
    if (ref[0] !== '#') return ENTITIES.get(ref) ?? whole;
    const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
  });
}

const HTML_SPECIAL = /[&<>"]/;

export function escapeHtml(text: string): string {
  if (!HTML_SPECIAL.test(text)) return text;
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

// One pass over the markup, as this regular expression would make it (alternatives tried in this
// order at each "<"; comments, scripts/styles and block-level tags become a space, every other tag
// goes), but by indexOf: a replace() with a callback cost more than the rest of the translation.
//   /(<!--[\s\S]*?-->)|<(script|style)\b[\s\S]*?<\/\2\s*>|<\/?(BLOCK)\b[^>]*>|<[^>]*>/gi
// html.test.ts holds the scanner to that expression on generated markup.
const BLOCK = new Set(['p', 'div', 'br', 'li', 'ul', 'ol', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'blockquote', 'tr', 'td', 'th', 'table', 'section', 'article', 'figure', 'figcaption', 'pre', 'hr']);
/** \s of a regular expression (WhiteSpace and LineTerminator), by code unit */
const isSpace = (c: number): boolean =>
  c <= 32
    ? c === 32 || (c >= 9 && c <= 13)
    : c >= 0xa0 && (c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff);
/** \w without the u flag */
const isWord = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95;

/** The tag name from `from` on: the whole run of word characters (the expression's \b), lower-cased. */
function tagName(s: string, from: number): string {
  let i = from;
  let upper = false;
  for (let c = s.charCodeAt(i); isWord(c); c = s.charCodeAt(++i)) if (c <= 90 && c >= 65) upper = true;
  const name = s.slice(from, i);
  // most names are lower case already, and toLowerCase() of a two-byte string is not cheap
  return upper ? name.toLowerCase() : name;
}

/** Where `</name\s*>` first ends at or after `from` (ASCII letters compared without case), or -1. */
function closingTagEnd(s: string, name: string, from: number): number {
  next: for (let k = s.indexOf('</', from); k !== -1; k = s.indexOf('</', k + 1)) {
    let j = k + 2;
    for (let n = 0; n < name.length; n++, j++) if ((s.charCodeAt(j) | 32) !== name.charCodeAt(n)) continue next;
    while (j < s.length && isSpace(s.charCodeAt(j))) j++;
    if (s.charCodeAt(j) === 62 /* > */) return j + 1;
  }
  return -1;
}

/**
 * The markup at `i` (a "<"): where it ends, as -end when it becomes a space, 0 when no markup
 * starts there (nothing does without a ">" after it).
 */
function markupAt(s: string, i: number): number {
  if (s.startsWith('<!--', i)) {
    const end = s.indexOf('-->', i + 4);
    if (end !== -1) return -(end + 3);
  }
  const close = s.indexOf('>', i + 1);
  if (close === -1) return 0;
  const closing = s.charCodeAt(i + 1) === 47; /* / */
  const from = closing ? i + 2 : i + 1;
  const name = tagName(s, from);
  if (!closing && (name === 'script' || name === 'style')) {
    const end = closingTagEnd(s, name, from + name.length);
    if (end !== -1) return -end;
  }
  return BLOCK.has(name) ? -(close + 1) : close + 1;
}

function stripMarkup(html: string): string {
  let out = '';
  let done = 0;
  for (let i = html.indexOf('<'); i !== -1; ) {
    const end = markupAt(html, i);
    if (end === 0) {
      i = html.indexOf('<', i + 1);
      continue;
    }
    out += end < 0 ? `${html.slice(done, i)} ` : html.slice(done, i);
    done = end < 0 ? -end : end;
    i = html.indexOf('<', done);
  }
  return done === 0 ? html : out + html.slice(done);
}

// What /\s+/g replaced by one space gives, matching only the runs that are not one space already
// (a run that starts with another whitespace character, or two or more): most whitespace in text
// is one space, and a replace() that finds nothing to replace costs a third of one that does.
const SPACES = /[^\S ]\s*|\s{2,}/g;

/** HTML -> one line of plain text: scripts and styles dropped, tags become spaces, entities decoded. */
export function htmlToText(html: string): string {
  const stripped = html.includes('<') ? stripMarkup(html) : html;
  return (stripped.includes('&') ? decodeEntities(stripped) : stripped).replace(SPACES, ' ').trim();
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
const SCHEME_OR_FRAGMENT = /^(?:[a-z][a-z0-9+.-]*:|#)/i;

/** Whether `word` (lower-case ASCII letters) is at `at` in `s`, whatever its case there. */
function wordAt(s: string, at: number, word: string): boolean {
  for (let n = 0; n < word.length; n++) if ((s.charCodeAt(at + n) | 32) !== word.charCodeAt(n)) return false;
  return true;
}

/**
 * Where the opening quote of a link attribute's value is in the tag at `i` (a "<"), or -1: what
 *   /(<[a-z][^>]*?\s(?:href|src|poster)\s*=\s*)(["'])([^"']*)\2/gi
 * matches there, the first attribute whose quoted value ends with its own quote (a value holds
 * neither quote). html.test.ts holds it to that expression.
 */
function linkValueAt(s: string, i: number): number {
  const first = s.charCodeAt(i + 1) | 32;
  if (first < 97 || first > 122) return -1;
  const gt = s.indexOf('>', i + 2);
  const limit = gt === -1 ? s.length : gt;
  for (let p = i + 2; p < limit; p++) {
    if (!isSpace(s.charCodeAt(p))) continue;
    let j = p + 1;
    if (wordAt(s, j, 'href')) j += 4;
    else if (wordAt(s, j, 'src')) j += 3;
    else if (wordAt(s, j, 'poster')) j += 6;
    else continue;
    while (isSpace(s.charCodeAt(j))) j++;
    if (s.charCodeAt(j) !== 61 /* = */) continue;
    j++;
    while (isSpace(s.charCodeAt(j))) j++;
    const quote = s.charCodeAt(j);
    if (quote !== 34 && quote !== 39) continue;
    let k = j + 1;
    for (let c = s.charCodeAt(k); k < s.length && c !== 34 && c !== 39; c = s.charCodeAt(++k));
    if (s.charCodeAt(k) === quote) return j;
  }
  return -1;
}

/** Rewrites relative href/src attributes so the HTML still points where the feed meant. */
export function absolutizeHtml(html: string, base: string | undefined): string {
  if (!base || !LINK_ATTRIBUTE.test(html)) return html;
  let out = '';
  let done = 0;
  for (let i = html.indexOf('<'); i !== -1; ) {
    const open = linkValueAt(html, i);
    if (open === -1) {
      i = html.indexOf('<', i + 1);
      continue;
    }
    const close = html.indexOf(html[open]!, open + 1);
    const value = html.slice(open + 1, close);
    const abs = !value || SCHEME_OR_FRAGMENT.test(value.trim()) ? undefined : absolute(decodeEntities(value), base);
    if (abs) {
      out += html.slice(done, open + 1) + escapeHtml(abs);
      done = close;
    }
    i = html.indexOf('<', close + 1);
  }
  return done === 0 ? html : out + html.slice(done);
}
