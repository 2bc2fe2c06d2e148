// Gets a page's bytes through the guarded fetcher and makes sure they are an HTML page, with
// errors a person can act on.
import { HubError } from '../../src/errors.js';
import { decodeAs } from '../../src/net/charset.js';
import type { Fetched, SafeFetcher } from '../../src/net/safe-fetch.js';

const ACCEPT = 'text/html, application/xhtml+xml;q=0.9, */*;q=0.1';
const HTML_TYPES = /^(text\/html|application\/xhtml\+xml)\b/i;

export interface HtmlPage {
  fetched: Fetched;
  html: string;
  charset: string;
  mediaType: string;
  /** the whole document is in `html` (reading did not stop at </head> before the end) */
  complete: boolean;
  /** when `html` stops at </head> but the fetcher read the rest anyway: the whole document */
  whole?: () => string;
}

export async function fetchHtml(fetcher: SafeFetcher, url: string, stopAfter?: string): Promise<HtmlPage> {
  let fetched: Fetched;
  try {
    fetched = await fetcher.fetch(url, { headers: { accept: ACCEPT }, ...(stopAfter ? { stopAfter } : {}) });
  } catch (err) {
    throw explainStatus(err);
  }
  const declared = fetched.headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  if (declared && !HTML_TYPES.test(declared)) throw notHtml(fetched.url, declared);
  const { text, charset } = fetched.text();
  if (!text.trim()) throw new HubError('PLATFORM_ERROR', `${fetched.url} answered with an empty page: there is nothing to preview`);
  // without a Content-Type, markup is recognised by its first character
  if (!declared && !text.trimStart().startsWith('<')) throw notHtml(fetched.url, 'no Content-Type and no markup');
  const complete = !fetched.truncated || /<\/html\s*>/i.test(text);
  const rest = complete ? undefined : fetched.rest;
  const whole = rest ? () => text + decodeAs(rest, charset) : undefined;
  return { fetched, html: text, charset, mediaType: declared ?? 'text/html', complete, ...(whole ? { whole } : {}) };
}

function notHtml(url: string, what: string): HubError {
  const hint = /xml|rss|atom|feed/.test(what) ? ' (for RSS and Atom, use the feeds platform)' : '';
  return new HubError('PLATFORM_ERROR', `${url} is not an HTML page (${what}): only web pages can be previewed${hint}`, { mediaType: what });
}

/** The fetcher says "answered HTTP 404"; say what that means for a preview. */
function explainStatus(err: unknown): unknown {
  if (!(err instanceof HubError) || typeof err.details?.status !== 'number') return err;
  const status = err.details.status;
  const why =
    status === 404 || status === 410 ? 'there is no page at this address; check the URL'
    : status === 401 || status === 403 ? 'the site refuses to show this page to hubgraph (it may need a login)'
    : status === 429 ? 'the site is rate limiting hubgraph; try again later'
    : status >= 500 ? 'the site failed on its side; try again later'
    : 'the page cannot be previewed';
  return new HubError('PLATFORM_ERROR', `${err.message}: ${why}`, err.details);
}
