// Fetched bytes -> FeedDoc. The fetcher has decoded the text (BOM, HTTP charset, XML prolog);
// rss-parser only ever sees that text through parseString, never a URL. What is not a feed gets
// an error that says what it is instead and what to do.
import Parser from 'rss-parser';
import { HubError } from '../../src/errors.js';
import type { Fetched } from '../../src/net/safe-fetch.js';
import { absolute, decodeEntities } from './html.js';
import { fromJsonFeed } from './jsonfeed.js';
import type { FeedDoc } from './objects.js';
import { CLOSE, CUSTOM_FIELDS, OPEN, RENAMED, fromParsed, type FeedKind } from './translate.js';

const ROOTS: Record<string, FeedKind> = { rss: 'rss', 'rdf:RDF': 'rdf', feed: 'atom' };

/** The name of the document element, past the prolog, comments and doctype. */
function rootElement(text: string): string | undefined {
  const body = text.replace(/^(?:\s+|<\?[\s\S]*?\?>|<!--[\s\S]*?-->|<!DOCTYPE(?:[^[>]|\[[\s\S]*?\])*>)*/i, '');
  return /^<([A-Za-z_][\w:.-]*)/.exec(body)?.[1];
}

/** An HTML page often names its feeds: say which, so the person can use one of them. */
function notAFeed(url: string, html: string): HubError {
  const feeds = [...html.matchAll(/<link\b[^>]*>/gi)]
    .map((m) => m[0])
    .filter((tag) => /\brel\s*=\s*["']?[^"'>]*\balternate\b/i.test(tag) && /\btype\s*=\s*["']?application\/(?:rss\+xml|atom\+xml|feed\+json|rdf\+xml)/i.test(tag))
    .map((tag) => absolute(decodeEntities(/\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))/i.exec(tag)?.slice(1).find((v) => v !== undefined) ?? ''), url))
    .filter((href): href is string => !!href);
  const unique = [...new Set(feeds)];
  return unique.length
    ? new HubError('PLATFORM_ERROR', `${url} is an HTML page, not a feed; it links to ${unique.length === 1 ? 'this feed' : 'these feeds'}: ${unique.join(', ')}`, { feeds: unique })
    : new HubError('PLATFORM_ERROR', `${url} is an HTML page, not a feed, and it links to no RSS or Atom feed: use the address of the feed itself`);
}

/**
 * Real feeds often carry a bare `&` or an HTML entity (`&nbsp;`) that XML does not know. Outside
 * CDATA sections, known entities become numeric references and the rest is escaped; tried only
 * when the document did not parse as it was.
 */
function repairAmpersands(xml: string): string {
  return xml
    .split(/(<!\[CDATA\[[\s\S]*?\]\]>)/)
    .map((part, i) =>
      i % 2 ? part : part.replace(/&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-f]+);)([a-z][a-z0-9]*;)?/gi, (_m, name: string | undefined) => {
        const decoded = name ? decodeEntities(`&${name}`) : undefined;
        return decoded && decoded !== `&${name}` ? `&#${decoded.codePointAt(0)};` : `&amp;${name ?? ''}`;
      }),
    )
    .join('');
}

function parseXml(text: string): Promise<Record<string, unknown>> {
  // a parser per document: xml2js keeps state between parses, and an error leaves it dirty
  const parser = new Parser({
    defaultRSS: 2,
    customFields: CUSTOM_FIELDS as never,
    xml2js: { tagNameProcessors: [(name: string) => RENAMED[name] ?? name] },
  });
  return parser.parseString(text) as Promise<never>;
}

/**
 * sax reads a document one character at a time, and most of a feed's characters are the entries'
 * HTML in CDATA sections, which XML leaves uninterpreted. Long sections are swapped for a short
 * token before parsing and handed back with the result (`held`); translate.ts puts them back in
 * the strings it reads, so the parse costs what the markup around them costs, and the parts of the
 * result nobody reads are never walked. Only sections of LONG_CDATA characters or more:
 * rss-parser reads some short values itself (a pubDate it turns into isoDate), and no date or
 * link is that long. Not done when the text already holds the token's delimiters (see
 * translate.ts for the token).
 */
const LONG_CDATA = 120;

interface Parsed { parsed: Record<string, unknown>; held: string[] }

async function parseXmlFast(text: string): Promise<Parsed> {
  const held: string[] = [];
  if (text.includes(OPEN) || text.includes(CLOSE)) return { parsed: await parseXml(text), held };
  // each <![CDATA[ ... ]]> in turn, as /<!\[CDATA\[([\s\S]*?)\]\]>/g finds them
  let short = '';
  let done = 0;
  for (let open = text.indexOf('<![CDATA['); open !== -1; ) {
    const start = open + 9;
    const close = text.indexOf(']]>', start);
    if (close === -1) break;
    if (close - start >= LONG_CDATA) {
      held.push(text.slice(start, close));
      short += `${text.slice(done, start)}${OPEN}${held.length - 1}${CLOSE}`;
      done = close;
    }
    open = text.indexOf('<![CDATA[', close + 3);
  }
  return { parsed: await parseXml(held.length ? short + text.slice(done) : text), held };
}

/** sax writes "Unexpected close tag\nLine: 3\nColumn: 7\nChar: >" with 0-based lines. */
function xmlProblem(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const [what, line, column] = [/^[^\n]*/.exec(message)?.[0], /Line: (\d+)/.exec(message)?.[1], /Column: (\d+)/.exec(message)?.[1]];
  return line ? `${what} at line ${Number(line) + 1}, column ${column}` : (what ?? message);
}

export async function parseFeed(fetched: Fetched, url: string): Promise<FeedDoc> {
  const { text } = fetched.text();
  const start = text.trimStart();
  const contentType = fetched.headers['content-type'] ?? 'no content type';
  if (!start) throw new HubError('PLATFORM_ERROR', `${url} answered with an empty body, not a feed`);
  if (start[0] === '{' || (start[0] !== '<' && /\bjson\b/i.test(contentType))) return fromJsonFeed(text, fetched.url);
  const root = rootElement(start);
  if (!root) {
    if (/^<!doctype html|^<html/i.test(start) || /html/i.test(contentType)) throw notAFeed(url, text);
    throw new HubError('PLATFORM_ERROR', `${url} is not a feed: it is not XML (${contentType}) and not a JSON Feed`);
  }
  if (root.toLowerCase() === 'html') throw notAFeed(url, text);
  const kind = ROOTS[root];
  if (!kind) throw new HubError('PLATFORM_ERROR', `${url} is XML whose root element is <${root}>, not an RSS (<rss>, <rdf:RDF>) or Atom (<feed>) feed`);
  let parsed: Parsed | undefined;
  try {
    parsed = await parseXmlFast(start);
  } catch {
    // read as written, so that an error names the document's own lines and columns
    let first: unknown;
    parsed = await parseXml(start).then(
      (doc) => ({ parsed: doc, held: [] }),
      (err: unknown) => {
        first = err;
        return undefined;
      },
    );
    if (!parsed) {
      const repaired = repairAmpersands(start);
      parsed = repaired === start ? undefined : await parseXmlFast(repaired).catch(() => undefined);
      if (!parsed) throw new HubError('PLATFORM_ERROR', `${url} is not well-formed XML (${xmlProblem(first)}), so it cannot be read as a feed; its publisher has to fix it`);
    }
  }
  return fromParsed(parsed.parsed, kind, fetched.url, start, parsed.held);
}
