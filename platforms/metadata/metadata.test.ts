// Link previews through the public API: a real hubgraph fetching fixture pages from a local server.
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropPrefix, startHubgraph, type Hubgraph } from '../../test/support/hubgraph.js';
import { errorCode, gql, ok, openSession, verb } from '../../test/support/client.js';
import { serve, startFixtureServer, type FixtureServer, type Route } from '../../test/support/fixture-server.js';
import { scraperError } from './extract.js';

const HTML = { 'content-type': 'text/html; charset=utf-8' };
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const page = (name: string, headers: Record<string, string> = HTML): Route => serve(fixture(name), headers);
const MAX_BYTES = 256 * 1024;
const FIELDS = 'type platform actor { id type name } object { id type name summary url mediaType json }';

let site: FixtureServer;
let hub: Hubgraph; // HUBGRAPH_ALLOW_PRIVATE_ADDRESSES=1, as tests and local development run
// the production default: private addresses refused (but 127.0.0.1/32 allowed), no cache, 1 s fetches
let guarded: Hubgraph;
let token: string;
let guardedToken: string;

/** An HTML page with its Content-Length. */
const sized = (html: string): Route => serve(html, { ...HTML, 'content-length': String(Buffer.byteLength(html)) });

/** A head complete in the first chunk, then a body that arrives later (or never). */
function slowBody(head: string, body: string | undefined): Route {
  return (_req, res) => {
    res.writeHead(200, HTML);
    res.write(head);
    if (body !== undefined) setTimeout(() => res.end(body), 50);
  };
}

beforeAll(async () => {
  const routes: Record<string, Route> = {
    '/og.html': page('og.html'),
    '/cached.html': page('og.html'),
    '/twitter.html': page('twitter.html'),
    '/title-only.html': page('title-only.html'),
    '/articles/plain.html': page('plain.html'),
    '/deep/dir/relative.html': page('relative.html'),
    '/windows-1252-meta.html': page('windows-1252-meta.html', { 'content-type': 'text/html' }),
    '/windows-1252-header.html': page('windows-1252-header.html', { 'content-type': 'text/html; charset=windows-1252' }),
    '/oembed.html': page('oembed.html'),
    '/oembed.json': page('oembed.json', { 'content-type': 'application/json' }),
    '/image.png': serve(Buffer.from('89504e470d0a1a0a', 'hex'), { 'content-type': 'image/png' }),
    '/feed.xml': serve('<?xml version="1.0"?><rss version="2.0"><channel/></rss>', { 'content-type': 'application/rss+xml' }),
    '/empty.html': serve('', HTML),
    '/old-address': serve('', { location: '/title-only.html' }, 301),
    '/to-metadata-service': serve('', { location: 'http://169.254.169.254/latest/meta-data/' }, 302),
    '/big-with-image.html': slowBody('<html><head><meta property="og:title" content="Big"><meta property="og:image" content="/big.png"></head>', `<body>${'x'.repeat(MAX_BYTES * 2)}</body></html>`),
    '/big-without-image.html': slowBody('<html><head><title>Big, no image</title></head>', `<body>${'x'.repeat(MAX_BYTES * 2)}<img src="/late.jpg"></body></html>`),
    '/late-image.html': slowBody('<html><head><title>Late image</title></head>', '<body><img src="/late.jpg" width="300" height="200"></body></html>'),
    '/no-answer': () => {}, // never even sends headers
    '/oembed-slow.html': serve('<title>Slow oEmbed</title><link rel="alternate" type="application/json+oembed" href="/no-answer">', HTML),
    // a declared length: the body after </head> comes with the head, so one request reads both
    '/body-image.html': sized('<html><head><title>Image in the body</title></head><body><p>Text</p><img src="/in-body.png" width="320" height="240"></body></html>'),
    // a declared length, and the rest never comes: the head is enough, the preview does not wait
    '/stalled-rest.html': (_req, res) => {
      const head = '<html><head><meta property="og:title" content="Stalled"><meta property="og:image" content="/s.png"></head>';
      res.writeHead(200, { ...HTML, 'content-length': String(head.length + 1000) });
      res.write(head);
    },
    '/never-ends.html': slowBody('<html><head><meta property="og:title" content="Endless"><meta property="og:image" content="/e.png"></head><body>', undefined),
  };
  site = await startFixtureServer(routes);
  const port = new URL(site.origin).port;
  routes['/oembed-private.html'] = serve(fixture('oembed-private.html').toString().replace('{{PORT}}', port), HTML);
  routes['/to-other-loopback'] = serve('', { location: `http://127.0.0.2:${port}/og.html` }, 302);
  const env = { HUBGRAPH_PLATFORMS: 'metadata', HUBGRAPH_FETCH_MAX_BYTES: String(MAX_BYTES), HUBGRAPH_FETCH_TIMEOUT: '4000' };
  [hub, guarded] = await Promise.all([
    startHubgraph({ env }),
    startHubgraph({ env: { ...env, HUBGRAPH_ALLOW_PRIVATE_ADDRESSES: '0', HUBGRAPH_ALLOWED_ADDRESSES: '127.0.0.1/32', HUBGRAPH_FETCH_CACHE: '0', HUBGRAPH_FETCH_TIMEOUT: '1000' } }),
  ]);
  [token, guardedToken] = await Promise.all([openSession(hub.url), openSession(guarded.url)]);
});
afterAll(async () => {
  await Promise.all([hub?.stop(), guarded?.stop(), site?.close()]);
  await Promise.all([hub && dropPrefix(hub.prefix), guarded && dropPrefix(guarded.prefix)]);
});

const input = (url: string, type = 'website') => ({ input: { platform: 'metadata', actor: { id: url, type } } });
const fetchOn = (h: Hubgraph, t: string, url: string) => gql(h.url, verb('fetch', FIELDS), input(url), t);
async function preview(url: string, h = hub, t = token): Promise<Record<string, any>> {
  const r = await fetchOn(h, t, url);
  if (r.errors?.length || !r.data) throw new Error(`GraphQL error: ${JSON.stringify(r.errors)}`);
  return r.data.fetch.object.json;
}

describe('metadata platform', () => {
  it('describes itself: stateless, fetch only, no credentials', async () => {
    const d = await ok(hub.url, '{ platforms { id verbs persistent credentialsSchema } }', undefined, token);
    expect(d.platforms).toEqual([{ id: 'metadata', verbs: ['fetch'], persistent: false, credentialsSchema: { type: 'null', description: 'this platform takes no credentials' } }]);
  });

  it('reads Open Graph first: every field, its source, absolute URLs and sizes, in one request', async () => {
    const r = await ok(hub.url, verb('fetch', FIELDS), input(site.url('/og.html')), token);
    expect(r.fetch).toMatchObject({
      type: 'fetch',
      platform: 'metadata',
      actor: { id: site.url('/og.html'), type: 'website', name: 'The Example Times' },
      object: { id: 'https://news.example.org/2024/hello-world', type: 'page', name: 'Hello, world & everyone', summary: 'A first article, with an image and a video.', url: 'https://news.example.org/2024/hello-world', mediaType: 'text/html' },
    });
    expect(r.fetch.object.json).toEqual({
      type: 'page',
      id: 'https://news.example.org/2024/hello-world',
      url: 'https://news.example.org/2024/hello-world',
      name: 'Hello, world & everyone',
      summary: 'A first article, with an image and a video.',
      siteName: 'The Example Times',
      pageType: 'article',
      language: 'en-GB',
      mediaType: 'text/html',
      charset: 'utf-8',
      image: [{ type: 'image', url: 'https://cdn.example.org/hello/cover.jpg', mediaType: 'image/jpeg', width: 1200, height: 630, name: 'A sunrise over the harbour' }],
      video: [{ type: 'video', url: 'https://cdn.example.org/hello/clip.mp4', mediaType: 'video/mp4', width: 1280, height: 720, duration: 'PT95S' }],
      favicon: site.url('/static/icon-32.png'),
      published: '2024-03-01T07:30:00.000Z',
      updated: '2024-03-02T10:00:00.000Z',
      sources: { url: 'og', name: 'og', summary: 'og', siteName: 'og', pageType: 'og', language: 'og', image: 'og', video: 'og', favicon: 'html', published: 'og', updated: 'og' },
    });
    expect(site.hits.get('/og.html')).toBe(1);
  });

  it('falls back to the Twitter card when there is no Open Graph', async () => {
    expect(await preview(site.url('/twitter.html'))).toEqual({
      type: 'page',
      id: site.url('/twitter.html'),
      url: site.url('/twitter.html'),
      name: 'Only a Twitter card',
      summary: 'Described for Twitter alone.',
      language: 'de-AT',
      mediaType: 'text/html',
      charset: 'utf-8',
      image: [{ type: 'image', url: 'https://img.example.net/card.png', mediaType: 'image/png', name: 'The card image' }],
      video: [{ type: 'video', url: 'https://player.example.net/embed/42', mediaType: 'text/html', width: 640, height: 360 }],
      favicon: site.url('/favicon.ico'),
      sources: { url: 'http', name: 'twitter', summary: 'twitter', language: 'html', image: 'twitter', video: 'twitter', favicon: 'default' },
    });
  });

  it('makes do with nothing but a <title>', async () => {
    expect(await preview(site.url('/title-only.html'))).toEqual({
      type: 'page',
      id: site.url('/title-only.html'),
      url: site.url('/title-only.html'),
      name: 'Just a title',
      mediaType: 'text/html',
      charset: 'utf-8',
      favicon: site.url('/favicon.ico'),
      sources: { url: 'http', name: 'html', favicon: 'default' },
    });
  });

  it('falls back to <title>, meta description, canonical link, icon and the first large <img>', async () => {
    const url = site.url('/articles/plain.html');
    expect(await preview(url)).toEqual({
      type: 'page',
      id: site.url('/plain/'),
      url: site.url('/plain/'),
      name: 'Une page sans Open Graph',
      summary: 'Rien que du HTML : un titre, une description, des images.',
      siteName: 'Le Site Simple',
      language: 'fr',
      mediaType: 'text/html',
      charset: 'utf-8',
      // the commented-out, 1×1, 48×48 and data: images are skipped
      image: [{ type: 'image', url: site.url('/articles/images/photo.jpg?size=large&v=2'), mediaType: 'image/jpeg', width: 640, height: 480, name: 'Une photo' }],
      favicon: site.url('/articles/favicon.ico'),
      sources: { url: 'html', name: 'html', summary: 'html', siteName: 'html', language: 'html', image: 'html', favicon: 'html' },
    });
  });

  it('reads the rest of the body only when the head has no image, and keeps the head when the body is too large', async () => {
    const late = await preview(site.url('/late-image.html'));
    expect(late.image).toEqual([{ type: 'image', url: site.url('/late.jpg'), mediaType: 'image/jpeg', width: 300, height: 200 }]);
    expect(site.hits.get('/late-image.html')).toBe(2);
    // twice the size cap: the head is enough, so the cap is never reached
    const withImage = await preview(site.url('/big-with-image.html'));
    expect(withImage).toMatchObject({ name: 'Big', image: [{ url: site.url('/big.png') }], sources: { image: 'og' } });
    expect(site.hits.get('/big-with-image.html')).toBe(1);
    // the second read fails on the cap; the preview comes back without an image
    const without = await preview(site.url('/big-without-image.html'));
    expect(without).toMatchObject({ name: 'Big, no image', sources: { name: 'html' } });
    expect(without.image).toBeUndefined();
    expect(site.hits.get('/big-without-image.html')).toBe(2);
    // a body that never ends does not matter once the head is in
    expect(await preview(site.url('/never-ends.html'))).toMatchObject({ name: 'Endless', image: [{ url: site.url('/e.png') }] });
  });

  it('reads a small body that came with the head from that one response, and does not wait for a rest that never comes', async () => {
    expect(await preview(site.url('/body-image.html'))).toMatchObject({
      name: 'Image in the body',
      image: [{ type: 'image', url: site.url('/in-body.png'), mediaType: 'image/png', width: 320, height: 240 }],
      sources: { name: 'html', image: 'html' },
    });
    expect(site.hits.get('/body-image.html')).toBe(1);
    // the fetch timeout is 4 s: a preview that waited for the declared rest would fail with TIMEOUT
    expect(await preview(site.url('/stalled-rest.html'))).toMatchObject({ name: 'Stalled', image: [{ url: site.url('/s.png') }], sources: { image: 'og' } });
    expect(site.hits.get('/stalled-rest.html')).toBe(1);
  });

  it('decodes windows-1252 declared in <meta charset> and in the Content-Type header', async () => {
    for (const path of ['/windows-1252-meta.html', '/windows-1252-header.html']) {
      expect(await preview(site.url(path))).toEqual({
        type: 'page',
        id: site.url(path),
        url: site.url(path),
        name: 'Café – crème brûlée à 5 €',
        summary: '“Délicieux”, dit l’œuvre',
        siteName: 'Pâtisserie',
        language: 'fr',
        mediaType: 'text/html',
        charset: 'windows-1252',
        image: [{ type: 'image', url: site.url('/g%C3%A2teau.jpg'), mediaType: 'image/jpeg', width: 400, height: 300 }],
        favicon: site.url('/favicon.ico'),
        sources: { url: 'http', name: 'html', summary: 'og', siteName: 'og', language: 'html', image: 'html', favicon: 'default' },
      });
    }
  });

  it('resolves relative image, video, icon and canonical URLs against the page, in page order', async () => {
    expect(await preview(site.url('/deep/dir/relative.html'))).toEqual({
      type: 'page',
      id: site.url('/deep/canonical/page'),
      url: site.url('/deep/canonical/page'),
      name: 'Relative links',
      mediaType: 'text/html',
      charset: 'utf-8',
      image: [
        { type: 'image', url: site.url('/img/cover.png'), mediaType: 'image/png', width: 600, height: 315 },
        { type: 'image', url: site.url('/deep/dir/thumb.webp'), mediaType: 'image/webp' },
        { type: 'image', url: 'http://cdn.example.com/protocol-relative.gif', mediaType: 'image/gif' },
      ],
      video: [{ type: 'video', url: site.url('/deep/dir/media/clip.webm') }],
      favicon: site.url('/deep/dir/favicon.svg'),
      sources: { url: 'og', name: 'og', image: 'og', video: 'og', favicon: 'html' },
    });
  });

  it('follows a redirect: the page url is the final one', async () => {
    expect(await preview(site.url('/old-address'))).toMatchObject({ id: site.url('/title-only.html'), url: site.url('/title-only.html'), name: 'Just a title', sources: { url: 'http' } });
  });

  it('discovers oEmbed and fetches it through the same fetcher', async () => {
    expect(await preview(site.url('/oembed.html'))).toEqual({
      type: 'page',
      id: site.url('/oembed.html'),
      url: site.url('/oembed.html'),
      name: 'Cats on a keyboard',
      siteName: 'ExampleTube',
      language: 'en',
      mediaType: 'text/html',
      charset: 'utf-8',
      image: [{ type: 'image', url: site.url('/thumbs/7.jpg'), mediaType: 'image/jpeg', width: 480, height: 360 }],
      favicon: site.url('/favicon.ico'),
      oembed: {
        type: 'video',
        version: '1.0',
        title: 'Cats on a keyboard (oEmbed)',
        author_name: 'Kitty Keys',
        author_url: site.url('/users/kitty'),
        provider_name: 'ExampleTube',
        provider_url: 'https://tube.example/',
        cache_age: 3600,
        thumbnail_url: site.url('/thumbs/7.jpg'),
        thumbnail_width: 480,
        thumbnail_height: 360,
        html: '<iframe src="https://tube.example/embed/7" width="640" height="360"></iframe>',
        width: 640,
        height: 360,
      },
      sources: { url: 'http', name: 'og', siteName: 'oembed', language: 'html', image: 'oembed', favicon: 'default' },
    });
    expect(site.hits.get('/oembed.json')).toBe(1);
  });

  it('shares a result between sessions for HUBGRAPH_FETCH_CACHE seconds', async () => {
    const other = await openSession(hub.url);
    const first = await preview(site.url('/cached.html'));
    const second = await preview(site.url('/cached.html'), hub, other);
    expect(second).toEqual(first);
    expect(site.hits.get('/cached.html')).toBe(1);
  });

  it('fails with PLATFORM_ERROR and says why for 404, non-HTML and empty answers', async () => {
    const cases: [string, RegExp][] = [
      ['/missing.html', /answered HTTP 404: there is no page at this address; check the URL/],
      ['/image.png', /is not an HTML page \(image\/png\): only web pages can be previewed$/],
      ['/feed.xml', /not an HTML page \(application\/rss\+xml\).*use the feeds platform/],
      ['/empty.html', /answered with an empty page/],
    ];
    for (const [path, message] of cases) {
      const r = await fetchOn(hub, token, site.url(path));
      expect(errorCode(r), path).toBe('PLATFORM_ERROR');
      expect(r.errors?.[0]?.message).toMatch(message);
    }
  });

  it('refuses an actor that is not an http(s) page URL with BAD_USER_INPUT', async () => {
    for (const [url, type] of [['ftp://example.org/file', 'website'], ['not a url', 'website'], ['https://', 'website'], [site.url('/og.html'), 'person']] as const) {
      const r = await gql(hub.url, verb('fetch', 'type'), input(url, type), token);
      expect(errorCode(r), url).toBe('BAD_USER_INPUT');
      expect(r.errors?.[0]?.message).toMatch(/actor\.(id|type)/);
    }
  });

  it('turns an open-graph-scraper rejection (a plain object) into a HubError', () => {
    const e = scraperError({ error: true, result: { success: false, error: 'Invalid URL' }, response: undefined, html: undefined });
    expect(e).toMatchObject({ code: 'PLATFORM_ERROR', message: "the page's metadata could not be read (open-graph-scraper: Invalid URL)" });
  });
});

describe('metadata platform behind the address guard', () => {
  const failure = async (url: string) => {
    const r = await fetchOn(guarded, guardedToken, url);
    return [errorCode(r), r.errors?.[0]?.message];
  };

  it('fetches allowed addresses, and names that resolve to them (localhost is 127.0.0.1 only here)', async () => {
    const hits = site.hits.get('/title-only.html') ?? 0;
    expect(await preview(site.url('/title-only.html'), guarded, guardedToken)).toMatchObject({ name: 'Just a title' });
    expect(await preview(site.url('/title-only.html'), guarded, guardedToken)).toMatchObject({ name: 'Just a title' });
    expect(site.hits.get('/title-only.html')).toBe(hits + 2); // HUBGRAPH_FETCH_CACHE=0: no sharing
    const viaName = site.url('/og.html').replace('127.0.0.1', 'localhost');
    expect(await preview(viaName, guarded, guardedToken)).toMatchObject({ name: 'Hello, world & everyone', favicon: viaName.replace('/og.html', '/static/icon-32.png') });
  });

  it('refuses private, loopback and link-local targets with FORBIDDEN_ADDRESS, on the first hop and on redirects', async () => {
    const port = new URL(site.origin).port;
    const before = site.hits.get('/og.html');
    for (const url of [`http://127.0.0.2:${port}/og.html`, `http://[::1]:${port}/og.html`, 'http://169.254.169.254/latest/meta-data/', 'http://[::ffff:169.254.169.254]/', 'http://10.0.0.1/']) {
      const [code, message] = await failure(url);
      expect(code, url).toBe('FORBIDDEN_ADDRESS');
      expect(message).toMatch(/HUBGRAPH_ALLOW_PRIVATE_ADDRESSES/);
    }
    expect((await failure(site.url('/to-metadata-service')))[0]).toBe('FORBIDDEN_ADDRESS');
    expect((await failure(site.url('/to-other-loopback')))[0]).toBe('FORBIDDEN_ADDRESS');
    expect(site.hits.get('/og.html')).toBe(before); // nothing reached the fixture server
  });

  it('passes TIMEOUT through for the page, and keeps the page when only its oEmbed times out', async () => {
    const [page, slowOEmbed] = await Promise.all([failure(site.url('/no-answer')), preview(site.url('/oembed-slow.html'), guarded, guardedToken)]);
    expect(page).toEqual(['TIMEOUT', `${site.url('/no-answer')} did not answer within 1000 ms`]);
    expect(slowOEmbed).toMatchObject({ name: 'Slow oEmbed', oembedError: { code: 'TIMEOUT' } });
  });

  it('returns the page without its oEmbed part when the oEmbed link points at a refused address', async () => {
    const guardedPage = await preview(site.url('/oembed-private.html'), guarded, guardedToken);
    expect(guardedPage).toMatchObject({ name: 'An oEmbed link to a private address', image: [{ url: site.url('/cover.png') }] });
    expect(guardedPage.oembed).toBeUndefined();
    expect(guardedPage.oembedError).toEqual({ code: 'FORBIDDEN_ADDRESS', message: expect.stringMatching(/^refused to connect to 127\.0\.0\.2: it is a loopback address/) });
    // with private addresses allowed the request goes out, and 127.0.0.2 has no server
    const open = await preview(site.url('/oembed-private.html'));
    expect(open.oembedError).toEqual({ code: 'PLATFORM_ERROR', message: `127.0.0.2:${new URL(site.origin).port} refused the connection` });
  });
});
