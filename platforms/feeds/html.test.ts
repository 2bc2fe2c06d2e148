// The feed's own HTML helpers, as functions: absolute() skips the URL parser for links it would give
// back unchanged, so it must agree with the parser on every input; htmlToText() reads markup in one pass.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { absolute, absolutizeHtml, decodeEntities, escapeHtml, htmlToText } from './html.js';

/** What absolute() promised before it had a fast path: the WHATWG parser's answer. */
function parsed(url: string, base: string | undefined): string | undefined {
  const raw = url.trim();
  if (!raw) return undefined;
  try {
    return new URL(raw, base).href;
  } catch {
    return undefined;
  }
}

// pieces that the parser rewrites (case, ports, IP forms, dot segments, characters it escapes) or
// refuses, mixed with plain ones
const host = fc.oneof(
  fc.domain(),
  fc.constantFrom('example.org', 'EXAMPLE.org', 'a.b-c.example', 'localhost', '127.0.0.1', '127.1', '0x7f.1', '[::1]', 'xn--bcher-kva.example', 'xn--a.example', 'bad_host.example', 'example.org.', '1example.com', 'a..b'),
);
const piece = fc.constantFrom('a', 'B', '/', '.', '..', './', '../', '%2e', '%2E', '%41', '%', '?', '#', '&', '=', ';', "'", '"', ' ', '\t', '<', '>', '`', '{', '}', '|', '\\', '^', '[', ']', '~', '@', ':', '!', '$', '(', ')', '*', '+', ',', 'é', '\u0000', 'xn--');
const tail = fc.array(piece, { maxLength: 12 }).map((p) => p.join(''));
// root-relative paths, which take a fast path of their own against an http(s) base
const rooted = fc.tuple(fc.constantFrom('/', '//', '/./', '/../', '/.well-known/', '/a/%2e/'), tail).map(([a, b]) => a + b);
const url = fc.oneof(
  fc.webUrl({ withQueryParameters: true, withFragments: true }),
  fc.tuple(fc.constantFrom('http://', 'https://', 'HTTP://', 'ftp://', '//', ''), host, fc.constantFrom('', ':80', ':443', ':8080', ':'), fc.constantFrom('/', '', '?', '#'), tail).map((p) => p.join('')),
  tail,
  rooted,
);
const base = fc.oneof(
  fc.constantFrom(undefined, 'https://example.org/blog/feed.xml', 'http://127.0.0.1:8080/a/b/', 'HTTP://Example.ORG:80/x', 'http://user:pw@example.org/', 'ftp://example.org/x', 'http://[::1]:9/'),
  fc.webUrl(),
);

/** What htmlToText() was before it scanned by hand: one regular expression over the markup. */
const MARKUP = /(<!--[\s\S]*?-->)|<(script|style)\b[\s\S]*?<\/\2\s*>|<\/?(p|div|br|li|ul|ol|h[1-6]|blockquote|tr|td|th|table|section|article|figure|figcaption|pre|hr)\b[^>]*>|<[^>]*>/gi;
function byExpression(html: string): string {
  const stripped = html.replace(MARKUP, (_whole, comment?: string, script?: string, block?: string) => (comment || script || block ? ' ' : ''));
  return decodeEntities(stripped).replace(/\s+/g, ' ').trim();
}
// pieces of markup that each alternative of the expression, and its near misses, are made of
const markupPiece = fc.constantFrom(
  '<', '>', '/', '</', '<!--', '-->', '--', '!', 'script', 'SCRIPT', 'Style', 'style', 'scripts', 'p', 'P', 'pre', 'h1', 'h7', 'br', 'hr', 'Blockquote', 'span', 'a',
  ' ', '  ', '\n', '\t', '\r', '\v', '\f', '\u00a0', '\u1680', '\u180e', '\u2000', '\u200a', '\u200b', '\u2028', '\u2029', '\u202f', '\u205f', '\u3000', '\ufeff', '\u0085', '_', '1', '-', '=', '"', "'", '&amp;', '&nbsp;', '&#32;', '&', 'x', '\u017f', '\u212a', '\u0130',
);
const markup = fc.oneof(fc.array(markupPiece, { maxLength: 30 }).map((p) => p.join('')), fc.string({ maxLength: 40 }));

/** What absolutizeHtml() was before it scanned by hand. */
function absolutizedByExpression(html: string, base: string): string {
  if (!/\s(?:href|src|poster)\s*=/i.test(html)) return html;
  return html.replace(/(<[a-z][^>]*?\s(?:href|src|poster)\s*=\s*)(["'])([^"']*)\2/gi, (whole, head: string, quote: string, value: string) => {
    if (!value || /^(?:[a-z][a-z0-9+.-]*:|#)/i.test(value.trim())) return whole;
    const abs = absolute(decodeEntities(value), base);
    return abs ? `${head}${quote}${escapeHtml(abs)}${quote}` : whole;
  });
}
const linkPiece = fc.constantFrom(
  '<', '>', '<a', '<IMG', '<1', '< a', '<video', ' ', '\n', '\u00a0', '\u2028', 'href', 'HREF', 'Src', 'poster', 'hrefs', 'data-src', '=', ' = ', '"', "'", '""', "''",
  '/rel/x', 'img.png', '../up', '#top', 'mailto:x@y', 'https://ex.org/a b', '//cdn.ex.org/i', '&amp;', '&lt;', '&quot;', 'a&b', ' x ', 'javascript:', '\u212a', '\u017f',
);
// and tags made of attributes, some of them broken (no "=", no quotes, quotes that do not pair up)
const attribute = fc
  .tuple(
    fc.constantFrom(' ', '\n', '\u00a0', '', '  '),
    fc.constantFrom('href', 'HREF', 'Src', 'poster', 'hrefs', 'data-src', 'alt'),
    fc.constantFrom('', ' ', '\t'),
    fc.constantFrom('=', '=', ''),
    fc.constantFrom('', ' '),
    fc.constantFrom('"', "'", ''),
    fc.constantFrom('/rel/x', 'img.png', '../up', '#top', 'mailto:x@y', 'https://ex.org/a b', '//cdn.ex.org/i', '&amp;x', '', ' x ', 'a>b', 'a<b'),
    fc.constantFrom('"', "'", ''),
  )
  .map((p) => p.join(''));
const tag = fc
  .tuple(fc.constantFrom('<a', '<IMG', '<video', '<1', '<', '< a', ''), fc.array(attribute, { maxLength: 3 }), fc.constantFrom('>', '/>', '', ' >'), fc.constantFrom('', 'text', ' ', '</a>'))
  .map(([open, attributes, close, text]) => open + attributes.join('') + close + text);
const linkMarkup = fc.oneof(fc.array(linkPiece, { maxLength: 30 }).map((p) => p.join('')), fc.array(tag, { maxLength: 5 }).map((t) => t.join('')));

describe('feed HTML helpers', () => {
  it('absolute() gives what the URL parser gives, fast path or not', () => {
    fc.assert(
      fc.property(url, base, (u, b) => {
        expect(absolute(u, b)).toBe(parsed(u, b));
      }),
      { numRuns: 20_000 },
    );
  });

  it('absolute() takes the fast path for plain absolute links only, and leaves them as written', () => {
    for (const u of ['https://news.example.org/2024/03/14/a-b?x=1&y=2#top', 'http://example.org/', 'https://cdn.example.net/3.mp4']) expect(absolute(u, undefined)).toBe(u);
    const rewritten: [string, string][] = [
      ['https://Example.org/a', 'https://example.org/a'],
      ['http://example.org:80/a', 'http://example.org/a'],
      ['http://example.org', 'http://example.org/'],
      ['http://example.org/a/../b', 'http://example.org/b'],
      ['http://example.org/a/%2e%2E/b', 'http://example.org/b'],
      ['http://127.1/x', 'http://127.0.0.1/x'],
      ["https://example.org/a?q='x'", 'https://example.org/a?q=%27x%27'],
      ['https://example.org/a b', 'https://example.org/a%20b'],
    ];
    for (const [u, want] of rewritten) expect(absolute(u, undefined)).toBe(want);
    expect(absolute('../img/a.png', 'https://example.org/blog/feed.xml')).toBe('https://example.org/img/a.png');
    expect(absolute('/img/a.png?x=1#y', 'https://example.org/blog/feed.xml')).toBe('https://example.org/img/a.png?x=1#y');
    expect(absolute('/img/a.png', 'HTTP://Example.ORG:80/blog/')).toBe('http://example.org/img/a.png');
    expect(absolute('//cdn.example.net/a.png', 'https://example.org/')).toBe('https://cdn.example.net/a.png');
    expect(absolute('http://[oops/', undefined)).toBeUndefined();
  });

  it('absolutizeHtml() rewrites relative href/src/poster only, and returns markup without links untouched', () => {
    const base = 'https://example.org/blog/feed.xml';
    const html = '<p><a href="/about">a</a> <img src=\'img/1.png\'> <a href="https://x.example/">x</a> <a href="#top">t</a> <video poster="p.jpg"></video></p>';
    expect(absolutizeHtml(html, base)).toBe(
      '<p><a href="https://example.org/about">a</a> <img src=\'https://example.org/blog/img/1.png\'> <a href="https://x.example/">x</a> <a href="#top">t</a> <video poster="https://example.org/blog/p.jpg"></video></p>',
    );
    const plain = '<p>No links here, only <em>markup</em>.</p>';
    expect(absolutizeHtml(plain, base)).toBe(plain);
  });

  it('absolutizeHtml() rewrites what the regular expression it replaced did', () => {
    fc.assert(
      fc.property(linkMarkup, fc.constantFrom('https://example.org/blog/feed.xml', 'http://u@example.org/a/', 'https://example.org'), (html, b) => {
        expect(absolutizeHtml(html, b)).toBe(absolutizedByExpression(html, b));
      }),
      { numRuns: 20_000 },
    );
  });

  it('htmlToText() reads markup as the regular expression it replaced did', () => {
    fc.assert(
      fc.property(markup, (html) => {
        expect(htmlToText(html)).toBe(byExpression(html));
      }),
      { numRuns: 20_000 },
    );
    for (const html of ['<script>a</SCRIPT >b', '<style x>a</style\n>b</style>c', '<scripts>a</scripts>b', '<script>never closed <p>x', '</script>x', '<!-->x-->y', '<p', 'a<b<c>d', '</ pre>x', '<br/>x<hr>']) {
      expect(htmlToText(html)).toBe(byExpression(html));
    }
  });

  it('htmlToText() drops comments, scripts and styles, spaces block tags, removes inline tags and decodes entities', () => {
    expect(htmlToText('<p>One</p><p>two<br>three</p>')).toBe('One two three');
    expect(htmlToText('in<em>line</em> <!-- note --> x<script>var a = "<p>";</script>y<style>p{}</style>z')).toBe('inline x y z');
    expect(htmlToText('Caf&eacute; &amp; &#8220;tea&#x201d; &unknown;')).toBe('Caf\u00e9 & \u201ctea\u201d &unknown;');
    expect(htmlToText('  plain   text\n')).toBe('plain text');
    expect(htmlToText('<PRE>code</PRE><Div>x</Div><span>y</span>')).toBe('code x y');
    expect(htmlToText('a<!-- unclosed > b')).toBe('a b');
  });
});
