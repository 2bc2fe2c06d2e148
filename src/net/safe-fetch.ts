// The one HTTP client platforms use. Every hop (the first request and each redirect) is checked
// twice: IP literals before connecting, host names after DNS resolution inside the connection's
// own lookup, so a name that resolves to a private address is refused before a packet goes out.
// Size, time, redirect and scheme caps come from the NetPolicy.
import { Agent, errors as undiciErrors, request } from 'undici';
import { HubError } from '../errors.js';
import { AddressGuard } from './address-guard.js';
import { decodeBody } from './charset.js';
import type { NetPolicy } from './policy.js';

export interface FetchOptions {
  headers?: Record<string, string>;
  /**
   * stop reading once the text so far contains this (e.g. "</head>" for page metadata). A rest of
   * at most REST_BYTES that the server declared (Content-Length) and sends at once is still read,
   * into `rest`: the connection stays open for the next request, and a caller that needs the
   * whole document after all has it without a second request.
   */
  stopAfter?: string;
  /** extra statuses to hand back instead of failing (304 for conditional GETs) */
  acceptStatus?: number[];
}

export interface Fetched {
  /** the URL after redirects */
  url: string;
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  /** true when `body` ends at `stopAfter` (the document went on) */
  truncated: boolean;
  /** with `truncated`: the rest of the document, when it was read all the same (see FetchOptions.stopAfter) */
  rest?: Buffer;
  text(): { text: string; charset: string };
}

/** the most a stopAfter read takes after the marker, and how long it waits for it */
const REST_BYTES = 64 * 1024;
const REST_WAIT_MS = 20;

const USER_AGENT = 'hubgraph/0.1 (+https://github.com/hubgraph)';
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

export class SafeFetcher {
  private readonly guard: AddressGuard;
  private readonly agent: Agent;

  constructor(private readonly policy: NetPolicy) {
    this.guard = new AddressGuard(policy);
    this.agent = new Agent({
      connect: { lookup: this.guard.lookup as never, timeout: Math.min(policy.timeoutMs, 10_000) },
      keepAliveTimeout: 4_000,
      connections: 64,
    });
  }

  async fetch(input: string, opts: FetchOptions = {}): Promise<Fetched> {
    // a timer we clear, not AbortSignal.timeout: a late abort would hit finished requests
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.policy.timeoutMs);
    try {
      return await this.fetchWithin(input, opts, controller.signal);
    } finally {
      clearTimeout(timer);
    }
  }

  private async fetchWithin(input: string, opts: FetchOptions, signal: AbortSignal): Promise<Fetched> {
    let url = this.parse(input);
    for (let hop = 0; ; hop++) {
      this.checkTarget(url);
      let res: Awaited<ReturnType<typeof request>>;
      try {
        res = await request(url, {
          dispatcher: this.agent,
          method: 'GET',
          signal,
          headers: { 'user-agent': USER_AGENT, accept: '*/*', 'accept-encoding': 'identity', ...opts.headers },
        });
      } catch (err) {
        throw this.mapError(err, url, signal);
      }
      const headers = flatHeaders(res.headers);
      res.body.on('error', () => {}); // errors surface through the read below, or do not matter
      if (REDIRECTS.has(res.statusCode) && headers.location) {
        res.body.destroy();
        if (hop >= this.policy.maxRedirects) {
          throw new HubError('PLATFORM_ERROR', `${input} redirected more than ${this.policy.maxRedirects} times`);
        }
        url = this.parse(headers.location, url);
        continue;
      }
      if ((res.statusCode < 200 || res.statusCode >= 300) && !opts.acceptStatus?.includes(res.statusCode)) {
        res.body.destroy();
        throw new HubError('PLATFORM_ERROR', `${url.href} answered HTTP ${res.statusCode}`, { status: res.statusCode });
      }
      const declared = Number(headers['content-length']);
      if (declared > this.policy.maxBytes) {
        res.body.destroy();
        throw tooLarge(url, this.policy.maxBytes);
      }
      const { body, truncated, rest } = await this.read(res.body, url, opts.stopAfter, signal, Number.isSafeInteger(declared) && declared >= 0 ? declared : undefined);
      const contentType = headers['content-type'];
      return { url: url.href, status: res.statusCode, headers, body, truncated, ...(rest ? { rest } : {}), text: () => decodeBody(body, contentType) };
    }
  }

  async close(): Promise<void> {
    await this.agent.close();
  }

  private parse(raw: string, base?: URL): URL {
    let url: URL;
    try {
      url = new URL(raw, base);
    } catch {
      throw new HubError('BAD_USER_INPUT', `"${raw}" is not a URL`);
    }
    const scheme = url.protocol.replace(/:$/, '');
    if (!this.policy.schemes.includes(scheme)) {
      throw new HubError(base ? 'FORBIDDEN_ADDRESS' : 'BAD_USER_INPUT', `${scheme}: URLs are not fetched (allowed: ${this.policy.schemes.join(', ')})`);
    }
    if (url.username || url.password) throw new HubError('BAD_USER_INPUT', 'URLs with user names or passwords are not fetched');
    return url;
  }

  /** Net.connect does not look up IP literals, so they are checked here. */
  private checkTarget(url: URL): void {
    const host = url.hostname.replace(/^\[|\]$/g, '');
    if (this.guard.isIp(host)) this.guard.check(host);
  }

  private async read(
    body: AsyncIterable<Buffer> & { destroy(): void },
    url: URL,
    stopAfter: string | undefined,
    signal: AbortSignal,
    declared: number | undefined,
  ): Promise<{ body: Buffer; truncated: boolean; rest?: Buffer }> {
    const chunks: Buffer[] = [];
    const chunksIn = body[Symbol.asyncIterator]();
    let size = 0;
    let tail = '';
    try {
      for (let next = await chunksIn.next(); !next.done; next = await chunksIn.next()) {
        const chunk = next.value;
        size += chunk.length;
        if (size > this.policy.maxBytes) {
          body.destroy();
          throw tooLarge(url, this.policy.maxBytes);
        }
        chunks.push(chunk);
        if (stopAfter) {
          // the marker is ASCII, so a latin1 view finds it in any charset, even across chunks
          const view = tail + chunk.toString('latin1').toLowerCase();
          const at = view.indexOf(stopAfter);
          if (at >= 0) {
            // keep the bytes up to the marker's end, not the rest of the chunk that held it
            const end = size - chunk.length - tail.length + at + stopAfter.length;
            const all = Buffer.concat(chunks, size);
            const rest = await this.readRest(body, chunksIn, all.subarray(end), size, declared);
            return { body: all.subarray(0, end), truncated: true, ...(rest ? { rest } : {}) };
          }
          tail = view.slice(-stopAfter.length);
        }
      }
    } catch (err) {
      if (err instanceof HubError) throw err;
      throw this.mapError(err, url, signal);
    }
    return { body: Buffer.concat(chunks, size), truncated: false };
  }

  /**
   * After the marker: reads a small declared rest that arrives at once, so that the response ends
   * cleanly (the connection is kept) and the caller has it; anything else is dropped (destroy).
   */
  private async readRest(body: { destroy(): void }, chunksIn: AsyncIterator<Buffer>, first: Buffer, size: number, declared: number | undefined): Promise<Buffer | undefined> {
    if (declared === undefined || declared > size + REST_BYTES || declared < size) {
      body.destroy();
      return undefined;
    }
    if (size === declared) {
      // all of it is in: the end of the body follows at once (no timer needed), and the connection is released
      const end = await chunksIn.next().catch(() => undefined);
      if (end?.done) return first;
      body.destroy();
      return undefined;
    }
    const rest = [first];
    let got = size;
    let ended = false;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), REST_WAIT_MS);
    });
    try {
      while (got <= declared) {
        const next = await Promise.race([chunksIn.next(), late]);
        if (next === 'late') break;
        if (next.done) {
          ended = true;
          break;
        }
        got += next.value.length;
        rest.push(next.value);
      }
    } catch {
      ended = false; // the rest failed; the part up to the marker stands
    } finally {
      clearTimeout(timer);
    }
    if (!ended || got !== declared) {
      body.destroy();
      return undefined;
    }
    return Buffer.concat(rest);
  }

  private mapError(err: unknown, url: URL, signal: AbortSignal): HubError {
    if (err instanceof HubError) return err;
    const cause = (err as { cause?: unknown }).cause;
    if (cause instanceof HubError) return cause;
    if (signal.aborted || err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError || err instanceof undiciErrors.ConnectTimeoutError) {
      return new HubError('TIMEOUT', `${url.href} did not answer within ${this.policy.timeoutMs} ms`);
    }
    const code = (err as { code?: string }).code ?? (cause as { code?: string } | undefined)?.code;
    if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return new HubError('PLATFORM_ERROR', `${url.hostname} could not be resolved`);
    if (code === 'ECONNREFUSED') return new HubError('PLATFORM_ERROR', `${url.host} refused the connection`);
    return new HubError('PLATFORM_ERROR', `fetching ${url.href} failed: ${(err as Error).message ?? String(err)}`);
  }
}

function tooLarge(url: URL, max: number): HubError {
  return new HubError('PLATFORM_ERROR', `${url.href} is larger than ${max} bytes (HUBGRAPH_FETCH_MAX_BYTES)`);
}

function flatHeaders(h: Record<string, string | string[] | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}
