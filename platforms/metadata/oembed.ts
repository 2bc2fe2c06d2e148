// oEmbed discovery: a page that links `<link rel="alternate" type="application/json+oembed">`
// offers a provider's own description of it (an embeddable player, the author, a thumbnail).
// The link is followed through the same guarded fetcher as the page. It is an extra: when it
// fails (refused address, timeout, 404, not oEmbed JSON), the page comes back without it and
// `oembedError` says why.
import { HubError, type ErrorCode } from '../../src/errors.js';
import type { SafeFetcher } from '../../src/net/safe-fetch.js';
import { withDeadline } from './deadline.js';

/** The fields oEmbed 1.0 defines, under the spec's own names. */
export interface OEmbed {
  type: 'photo' | 'video' | 'link' | 'rich';
  version?: string;
  title?: string;
  author_name?: string;
  author_url?: string;
  provider_name?: string;
  provider_url?: string;
  cache_age?: number;
  thumbnail_url?: string;
  thumbnail_width?: number;
  thumbnail_height?: number;
  url?: string;
  html?: string;
  width?: number;
  height?: number;
}

export type OEmbedOutcome = { oembed: OEmbed } | { oembedError: { code: ErrorCode; message: string } };

const TYPES = new Set(['photo', 'video', 'link', 'rich']);
const TEXT = ['version', 'title', 'author_name', 'provider_name', 'html'] as const;
const URLS = ['author_url', 'provider_url', 'thumbnail_url', 'url'] as const;
const NUMBERS = ['cache_age', 'thumbnail_width', 'thumbnail_height', 'width', 'height'] as const;

/** Follows the page's oEmbed link (`href` as written, relative to `pageUrl`). Never throws. */
export async function fetchOEmbed(fetcher: SafeFetcher, href: string, pageUrl: string, deadline: number): Promise<OEmbedOutcome> {
  const endpoint = absoluteUrl(href, pageUrl);
  if (!endpoint) return { oembedError: { code: 'PLATFORM_ERROR', message: `the page's oEmbed link "${href}" is not an http(s) URL` } };
  try {
    const res = await withDeadline(() => fetcher.fetch(endpoint, { headers: { accept: 'application/json+oembed, application/json;q=0.9' } }), deadline, `the oEmbed endpoint ${endpoint}`);
    let data: unknown;
    try {
      data = JSON.parse(res.text().text);
    } catch {
      throw new HubError('PLATFORM_ERROR', `the oEmbed endpoint ${res.url} did not answer with JSON`);
    }
    return { oembed: readOEmbed(data, res.url) };
  } catch (err) {
    const e = HubError.from(err);
    // the client did not write this link, so no error of it is theirs
    return { oembedError: { code: e.code === 'BAD_USER_INPUT' ? 'PLATFORM_ERROR' : e.code, message: e.message } };
  }
}

function readOEmbed(data: unknown, endpoint: string): OEmbed {
  const o = (typeof data === 'object' && data !== null && !Array.isArray(data) ? data : {}) as Record<string, unknown>;
  const type = typeof o.type === 'string' ? o.type.toLowerCase() : '';
  if (!TYPES.has(type)) throw new HubError('PLATFORM_ERROR', `the oEmbed endpoint ${endpoint} answered without an oEmbed type (photo, video, link or rich)`);
  const out: Record<string, string | number> = { type };
  for (const k of TEXT) if (typeof o[k] === 'string' && o[k]) out[k] = o[k];
  for (const k of URLS) {
    const u = absoluteUrl(o[k], endpoint);
    if (u) out[k] = u;
  }
  for (const k of NUMBERS) {
    // providers write numbers as strings too ("480")
    const n = typeof o[k] === 'number' ? o[k] : typeof o[k] === 'string' && /^\d+$/.test(o[k]) ? Number(o[k]) : NaN;
    if (Number.isFinite(n) && n >= 0) out[k] = n;
  }
  if (typeof o.version === 'number') out.version = String(o.version);
  return out as unknown as OEmbed;
}

/** An absolute http(s) URL, or undefined. */
export function absoluteUrl(raw: unknown, base: string): string | undefined {
  if (typeof raw !== 'string' || !raw.trim()) return undefined;
  try {
    const u = new URL(raw.trim(), base);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.href : undefined;
  } catch {
    return undefined;
  }
}
