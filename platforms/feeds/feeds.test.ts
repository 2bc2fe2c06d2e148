// The feeds platform through the public API: a real hubgraph fetching fixtures from a local HTTP
// server. One hub may reach 127.0.0.1 (HUBGRAPH_ALLOW_PRIVATE_ADDRESSES=1); the other refuses
// every private address but the fixture server's.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropPrefix, startHubgraph, type Hubgraph } from '../../test/support/hubgraph.js';
import { errorCode, gql, ok, openSession, sleep, verb, type GqlResult } from '../../test/support/client.js';
import { serve, startFixtureServer, type FixtureServer, type Route } from '../../test/support/fixture-server.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const FIELDS = 'id type platform actor { id type name url summary } object { type name json } json';

let hub: Hubgraph;
let strict: Hubgraph;
let fx: FixtureServer;
let token: string;
let strictToken: string;
let trap: Server; // listens on 127.0.0.2: a connection there would mean a packet left
let trapConnections = 0;
let revalidations = 0;

// ten dated entries whose feed order is not date order, then one without a date
const DAYS = [5, 9, 1, 7, 3, 10, 2, 8, 4, 6];
const many = `<?xml version="1.0"?><rss version="2.0"><channel><title>Many</title><link>https://many.example/</link>${DAYS.map(
  (d, i) => `<item><title>n${i + 1}</title><guid>n${i + 1}</guid><pubDate>${new Date(Date.UTC(2024, 2, d)).toUTCString()}</pubDate></item>`,
).join('')}<item><title>n11</title><guid>n11</guid></item></channel></rss>`;

// long CDATA sections (the parser skips their text; it has to come back exactly), one of them
// spread over lines before a syntax error, and one feed whose text holds the private-use
// characters that this skipping uses, which is then read the plain way
const LONG = `<p>First paragraph with a <a href="/rel/link">relative link</a>, an ampersand & a <b>bold</b> word; ${'long text '.repeat(20)}</p>`;
const longCdata = (extra = '') => `<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title><![CDATA[Long & CDATA]]></title>
<item><title><![CDATA[Short <title>]]></title><guid>c1</guid><pubDate><![CDATA[Tue, 05 Mar 2024 10:00:00 GMT]]></pubDate>
<description>Before: <![CDATA[${LONG}]]> :after${extra}</description><content:encoded><![CDATA[${LONG}<p>more</p>]]></content:encoded></item></channel></rss>`;
const brokenAfterCdata = `<?xml version="1.0"?>\n<rss version="2.0"><channel><title>x</title><item><description><![CDATA[${'line\n'.repeat(30)}${'x'.repeat(200)}]]></description>\n<title>never closed\n</item></channel></rss>`;

/** answers 200 with an ETag, and 304 to a request that already has it */
const etagged = (body: string): Route => (req, res) => {
  if (req.headers['if-none-match'] === '"v1"') {
    revalidations++;
    res.writeHead(304, { etag: '"v1"' }).end();
  } else {
    res.writeHead(200, { etag: '"v1"', 'last-modified': 'Tue, 05 Mar 2024 10:00:00 GMT', 'content-type': 'application/rss+xml' }).end(body);
  }
};

beforeAll(async () => {
  trap = createServer((s) => { trapConnections++; s.destroy(); });
  await new Promise<void>((r) => trap.listen(0, '127.0.0.2', r));
  const trapPort = (trap.address() as AddressInfo).port;
  fx = await startFixtureServer({
    '/blog/rss.xml': serve(fixture('rss2.xml'), { 'content-type': 'application/rss+xml; charset=utf-8' }),
    '/atom.xml': serve(fixture('atom.xml'), { 'content-type': 'application/atom+xml' }),
    '/rdf.xml': serve(fixture('rdf.xml'), { 'content-type': 'application/rdf+xml' }),
    '/feed.json': serve(fixture('feed.json'), { 'content-type': 'application/feed+json' }),
    '/sloppy.xml': serve(fixture('sloppy.xml'), { 'content-type': 'application/rss+xml' }),
    '/malformed.xml': serve(fixture('malformed.xml'), { 'content-type': 'application/rss+xml' }),
    '/page.html': serve(fixture('page.html'), { 'content-type': 'text/html; charset=utf-8' }),
    '/sitemap.xml': serve(fixture('sitemap.xml'), { 'content-type': 'application/xml' }),
    '/many.xml': serve(many, { 'content-type': 'application/rss+xml' }),
    // the charset is declared only in the XML prolog
    '/latin1.xml': serve(
      Buffer.from('<?xml version="1.0" encoding="ISO-8859-1"?><rss version="2.0"><channel><title>Caf\xe9 cr\xe8me</title><item><title>\xdcber die Stra\xdfe \xa9</title><description>na\xefve &amp; s\xfc\xdf</description></item></channel></rss>', 'latin1'),
      { 'content-type': 'text/xml' },
    ),
    // the charset is declared only in the HTTP header; 0x80-0x9f are windows-1252's, not latin1's
    '/cp1252.xml': serve(
      Buffer.from('<?xml version="1.0"?><rss version="2.0"><channel><title>\x80 5 \x93quoted\x94 \x96 dash</title><item><title>it\x92s</title></item></channel></rss>', 'latin1'),
      { 'content-type': 'application/rss+xml; charset=windows-1252' },
    ),
    '/long-cdata.xml': serve(longCdata(), { 'content-type': 'application/rss+xml' }),
    '/long-cdata-private-use.xml': serve(longCdata(' \uE000 0 \uE001'), { 'content-type': 'application/rss+xml' }),
    '/broken-after-cdata.xml': serve(brokenAfterCdata, { 'content-type': 'application/rss+xml' }),
    '/redirected': (_q, r) => r.writeHead(301, { location: '/blog/rss.xml' }).end(),
    '/polled.xml': etagged(fixture('rss2.xml').toString()),
    // slow, so that a burst of requests overlaps the first one
    '/burst.xml': (q, r) => void setTimeout(() => serve(many, { 'content-type': 'application/rss+xml' })(q, r), 300),
    '/revalidated.xml': etagged(many),
    '/big.xml': (_q, r) => {
      // 20 MB without a content-length: the cap has to hold while streaming
      r.writeHead(200, { 'content-type': 'application/rss+xml' });
      r.on('error', () => {});
      const chunk = Buffer.alloc(64 * 1024, ' ');
      let sent = 0;
      const push = () => {
        while (sent < 20 * 1024 * 1024 && !r.destroyed) { sent += chunk.length; if (!r.write(chunk)) return void r.once('drain', push); }
        r.end();
      };
      r.write('<?xml version="1.0"?><rss version="2.0"><channel>');
      push();
    },
    '/never.xml': (_q, r) => { r.writeHead(200, { 'content-type': 'application/rss+xml' }); r.write('<?xml version="1.0"?><rss version="2.0"><channel>'); },
    '/hop1': (_q, r) => r.writeHead(302, { location: '/hop2' }).end(),
    '/hop2': (_q, r) => r.writeHead(301, { location: `http://127.0.0.2:${trapPort}/` }).end(),
    '/to-ten': (_q, r) => r.writeHead(307, { location: 'http://10.0.0.1/feed.xml' }).end(),
  });
  [hub, strict] = await Promise.all([
    startHubgraph({ env: { HUBGRAPH_PLATFORMS: 'feeds', HUBGRAPH_FETCH_TIMEOUT: '1500', HUBGRAPH_JOB_THREADS: '2' } }),
    startHubgraph({ env: { HUBGRAPH_PLATFORMS: 'feeds', HUBGRAPH_ALLOW_PRIVATE_ADDRESSES: '0', HUBGRAPH_ALLOWED_ADDRESSES: '127.0.0.1/32', HUBGRAPH_FETCH_CACHE: '1' } }),
  ]);
  [token, strictToken] = await Promise.all([openSession(hub.url), openSession(strict.url)]);
});

afterAll(async () => {
  await Promise.all([hub?.stop(), strict?.stop()]);
  await Promise.all([hub && dropPrefix(hub.prefix), strict && dropPrefix(strict.prefix), fx?.close()]);
  await new Promise((r) => trap?.close(r));
});

function feed(url: string, extra?: Record<string, unknown>, on: { h: Hubgraph; t: string } = { h: hub, t: token }): Promise<GqlResult> {
  const input = { platform: 'feeds', actor: { id: url, type: 'feed' }, ...(extra ? { object: { type: 'parameters', extra } } : {}) };
  return gql(on.h.url, verb('fetch', FIELDS), { input }, on.t);
}

/** the result's ActivityStreams document, or a failure that shows the GraphQL errors */
async function fetched(url: string, extra?: Record<string, unknown>): Promise<any> {
  const r = await feed(url, extra);
  expect(r.errors, JSON.stringify(r.errors)).toBeUndefined();
  return r.data!.fetch.json;
}
const entries = (doc: any) => doc.object.items.map((i: any) => i.object);
const titles = (doc: any) => entries(doc).map((e: any) => e.name);

describe('feeds platform', () => {
  it('describes itself: stateless, fetch only, no credentials', async () => {
    const d = await ok(hub.url, '{ platforms { id verbs persistent credentialsSchema } }', undefined, token);
    expect(d.platforms).toEqual([{ id: 'feeds', verbs: ['fetch'], persistent: false, credentialsSchema: { type: 'null', description: 'this platform takes no credentials' } }]);
  });

  it('reads RSS 2.0: CDATA, entities, every enclosure, relative links made absolute, the feed as the actor of each post', async () => {
    const url = fx.url('/blog/rss.xml');
    const r = await feed(url);
    expect(r.errors).toBeUndefined();
    const a = r.data!.fetch;
    expect(a).toMatchObject({ type: 'fetch', platform: 'feeds', actor: { id: url, type: 'feed', name: 'Tom & Jerry\u2019s Blog', url: fx.url('/blog/') }, object: { type: 'collection', name: 'Tom & Jerry\u2019s Blog' } });
    const the = a.json;
    expect(the.actor).toEqual({
      id: url, type: 'feed', name: 'Tom & Jerry\u2019s Blog', url: fx.url('/blog/'), link: fx.url('/blog/'),
      summary: 'Notes on cats & mice', description: 'Notes on <em>cats</em> &amp; mice',
      image: { type: 'image', url: fx.url('/blog/images/logo.png'), name: 'Logo' }, language: 'en-gb', updated: '2024-03-05T10:00:00.000Z',
    });
    expect(the.object).toMatchObject({ type: 'collection', id: url, totalItems: 4 });
    expect(the.object.items.map((i: any) => [i.type, i.actor])).toEqual(Array(4).fill(['post', the.actor]));
    expect(entries(the)).toEqual([
      {
        type: 'article', id: 'tag:example.org,2024:3', name: 'Episode 3: <Chase> & Co', title: 'Episode 3: <Chase> & Co',
        url: fx.url('/blog/posts/3.html'), published: '2024-03-05T08:30:00.000Z', author: { type: 'person', name: 'Tom Cat' },
        categories: ['cartoons', 'chase'],
        enclosures: [
          { type: 'audio', url: fx.url('/blog/media/3.mp3'), mediaType: 'audio/mpeg', length: 123456 },
          { type: 'video', url: 'https://cdn.example.net/3.mp4', mediaType: 'video/mp4', length: 999 },
        ],
        content: `<p>Full text with <a href="${fx.url('/blog/about')}">a link</a> and <img src="${fx.url('/blog/img/3.png')}" alt=""> &mdash; done.</p>`,
        mediaType: 'text/html', summary: 'The third chase & more.',
      },
      {
        type: 'article', id: 'https://example.org/blog/posts/2.html', name: 'Episode 2', title: 'Episode 2', url: 'https://example.org/blog/posts/2.html',
        published: '2024-03-04T12:00:00.000Z', author: { type: 'person', name: 'Jerry Mouse', email: 'jerry@example.org' },
        content: 'Plain &amp; escaped: <i>italic</i> caf\u00e9', mediaType: 'text/html', summary: 'Plain & escaped: italic caf\u00e9',
      },
      {
        type: 'note', id: 'https://example.org/blog/posts/1.html', url: 'https://example.org/blog/posts/1.html', published: '2024-03-03T08:00:00.000Z',
        content: 'A note without a title.', mediaType: 'text/html', summary: 'A note without a title.',
      },
      { type: 'article', id: fx.url('/blog/undated'), name: 'Undated', title: 'Undated', url: fx.url('/blog/undated'), content: 'No date here.', mediaType: 'text/html', summary: 'No date here.' },
    ]);
  });

  it('reads Atom 1.0: xml:base on feed, entry and content; text, html and xhtml content; published and updated apart', async () => {
    const doc = await fetched(fx.url('/atom.xml'));
    expect(doc.actor).toEqual({
      id: fx.url('/atom.xml'), type: 'feed', name: 'Le Journal', url: 'https://atom.example.com/journal/', link: 'https://atom.example.com/journal/',
      summary: 'Des nouvelles', description: 'Des nouvelles', image: { type: 'image', url: 'https://atom.example.com/static/logo.svg' }, language: 'fr', updated: '2024-02-01T12:00:00.000Z',
    });
    expect(entries(doc)).toEqual([
      {
        type: 'article', id: 'urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a', name: 'Bonjour monde', title: 'Bonjour monde',
        url: 'https://atom.example.com/journal/2024/bonjour.html', published: '2024-02-01T09:00:00.000Z', updated: '2024-02-01T12:00:00.000Z',
        author: { type: 'person', name: 'Marie Curie', email: 'marie@example.com', url: 'https://atom.example.com/marie' },
        categories: ['Science', 'news'], enclosures: [{ type: 'image', url: 'https://atom.example.com/img/b.png', mediaType: 'image/png', length: 2048 }],
        content: '<p>Hello <a href="https://other.example.net/base/page">page</a> and <em>more</em> text.</p>', mediaType: 'text/html', summary: 'Short & sweet',
      },
      {
        type: 'article', id: 'tag:atom.example.com,2024:2', name: 'Second', title: 'Second', url: 'https://atom.example.com/journal/second',
        updated: '2024-01-15T08:00:00.000Z', author: { type: 'person', name: 'Marie' },
        content: '<p>Escaped <img src="https://atom.example.com/pic.jpg"></p>', mediaType: 'text/html', summary: 'Escaped',
      },
      {
        // an unreadable <published> is left out, not fatal
        type: 'article', id: 'tag:atom.example.com,2024:3', name: 'Third, in text', title: 'Third, in text', url: 'http://elsewhere.example/x',
        updated: '2023-12-31T23:59:59.000Z', author: { type: 'person', name: 'Marie' },
        content: '1 &lt; 2 &amp; 3 &gt; 0', mediaType: 'text/html', summary: '1 < 2 & 3 > 0',
      },
    ]);
  });

  it('reads RSS 1.0 (RDF) with Dublin Core dates, creators, subjects and language', async () => {
    const doc = await fetched(fx.url('/rdf.xml'));
    expect(doc.actor).toEqual({ id: fx.url('/rdf.xml'), type: 'feed', name: 'RDF Site', url: 'http://rdf.example.org/', link: 'http://rdf.example.org/', summary: 'An RSS 1.0 channel', description: 'An RSS 1.0 channel', language: 'de' });
    expect(entries(doc)).toEqual([
      {
        type: 'article', id: 'http://rdf.example.org/a', name: 'Eins', title: 'Eins', url: 'http://rdf.example.org/a', published: '2024-01-02T02:04:05.000Z',
        author: { type: 'person', name: 'Hans' }, categories: ['Technik'], content: 'Erster Eintrag', mediaType: 'text/html', summary: 'Erster Eintrag',
      },
      { type: 'article', id: 'http://rdf.example.org/b', name: 'Zwei', title: 'Zwei', url: 'http://rdf.example.org/b', published: '2024-01-01T00:00:00.000Z' },
    ]);
  });

  it('reads JSON Feed 1.1', async () => {
    const doc = await fetched(fx.url('/feed.json'));
    expect(doc.actor).toMatchObject({ type: 'feed', name: 'JSON Stories', url: 'https://json.example.org/', language: 'en-US', image: { type: 'image', url: fx.url('/icon.png') } });
    const jay = { type: 'person', name: 'Jay Son', url: 'https://json.example.org/jay' };
    expect(entries(doc)).toEqual([
      {
        type: 'article', id: '2', name: 'Second story', title: 'Second story', url: 'https://json.example.org/2', published: '2024-04-02T14:00:00.000Z', updated: '2024-04-03T00:00:00.000Z',
        author: jay, categories: ['json', 'feeds'], enclosures: [{ type: 'audio', url: 'https://json.example.org/2.m4a', mediaType: 'audio/x-m4a', length: 4096 }],
        content: `<p>Second <a href="${fx.url('/x')}">link</a></p>`, mediaType: 'text/html', summary: 'The second',
      },
      { type: 'note', id: '1', published: '2024-04-01T00:00:00.000Z', author: jay, content: 'First, plain &lt;text&gt;', mediaType: 'text/html', summary: 'First, plain <text>' },
    ]);
  });

  it('decodes ISO-8859-1 declared in the XML prolog and windows-1252 declared in the HTTP header', async () => {
    const latin1 = await fetched(fx.url('/latin1.xml'));
    expect(latin1.actor.name).toBe('Caf\u00e9 cr\u00e8me');
    expect(entries(latin1)[0]).toMatchObject({ name: '\u00dcber die Stra\u00dfe \u00a9', summary: 'na\u00efve & s\u00fc\u00df' });
    const cp1252 = await fetched(fx.url('/cp1252.xml'));
    expect(cp1252.actor.name).toBe('\u20ac 5 \u201cquoted\u201d \u2013 dash');
    expect(entries(cp1252)[0].name).toBe('it\u2019s');
  });

  it('reads feeds with bare ampersands and HTML entities outside CDATA, leaving CDATA as written', async () => {
    const doc = await fetched(fx.url('/sloppy.xml'));
    expect(doc.actor).toMatchObject({ name: 'Caf\u00e9\u00a0News', url: 'https://sloppy.example/?a=1&b=2' });
    expect(entries(doc)[0]).toMatchObject({
      name: 'Fish & chips \u00a9 2024', url: 'https://sloppy.example/item?id=1&lang=en',
      content: '<p>In CDATA &nbsp; stays as written &amp; so does this</p>', summary: 'In CDATA stays as written & so does this',
    });
  });

  it('gives back long CDATA sections exactly as written, and reads dates and titles held in CDATA', async () => {
    const url = fx.url('/long-cdata.xml');
    const doc = await fetched(url);
    expect(doc.actor.name).toBe('Long & CDATA');
    const abs = LONG.replace('/rel/link', fx.url('/rel/link'));
    expect(entries(doc)).toEqual([
      {
        type: 'article', id: 'c1', name: 'Short <title>', title: 'Short <title>', published: '2024-03-05T10:00:00.000Z',
        content: `${abs}<p>more</p>`, mediaType: 'text/html', summary: `Before: First paragraph with a relative link, an ampersand & a bold word; ${'long text '.repeat(20)}:after`,
      },
    ]);
    const odd = await fetched(fx.url('/long-cdata-private-use.xml'));
    expect(entries(odd)[0]).toMatchObject({ name: 'Short <title>', content: `${abs}<p>more</p>`, published: '2024-03-05T10:00:00.000Z' });
    const broken = await feed(fx.url('/broken-after-cdata.xml'));
    expect(errorCode(broken)).toBe('PLATFORM_ERROR');
    // the line and column of the document as written, CDATA lines counted
    expect(broken.errors?.[0]?.message).toMatch(/not well-formed XML \(Unexpected close tag at line 34, column 7\)/);
  });

  it("keeps the feed's own order; since and before filter by date, offset skips, limit keeps the first N; totalItems counts the whole feed", async () => {
    const url = fx.url('/many.xml');
    const all = await fetched(url);
    expect(titles(all)).toEqual(['n1', 'n2', 'n3', 'n4', 'n5', 'n6', 'n7', 'n8', 'n9', 'n10', 'n11']);
    expect(all.object.totalItems).toBe(11);
    const cases: [Record<string, unknown>, string[]][] = [
      [{ limit: 3 }, ['n1', 'n2', 'n3']],
      [{ limit: 50 }, titles(all)],
      [{ since: '2024-03-06T00:00:00Z' }, ['n2', 'n4', 'n6', 'n8', 'n10']], // at or after: day 6 itself is in
      [{ since: '2024-03-06' }, ['n2', 'n4', 'n6', 'n8', 'n10']],
      [{ since: '2024-03-06T00:00:00Z', limit: 2 }, ['n2', 'n4']],
      [{ before: '2024-03-03T00:00:00Z' }, ['n3', 'n7']],
      [{ offset: 2, limit: 2 }, ['n3', 'n4']],
      [{ since: '2024-03-06T00:00:00+01:00', offset: 4 }, ['n10']],
      [{ since: '2030-01-01T00:00:00Z' }, []],
    ];
    for (const [extra, want] of cases) {
      const doc = await fetched(url, extra);
      expect([extra, titles(doc)]).toEqual([extra, want]);
      expect(doc.object.totalItems).toBe(11);
    }
  });

  it('follows redirects: the actor is the URL asked for, relative links resolve against where the feed was found', async () => {
    const doc = await fetched(fx.url('/redirected'));
    expect(doc.actor).toMatchObject({ id: fx.url('/redirected'), url: fx.url('/blog/') });
    expect(entries(doc)[0].url).toBe(fx.url('/blog/posts/3.html'));
  });

  it('refuses bad parameters with BAD_USER_INPUT naming the field, before fetching anything', async () => {
    const url = fx.url('/unfetched.xml');
    const cases: [Record<string, unknown>, string][] = [
      [{ limit: 0 }, 'object.limit'],
      [{ limit: 2.5 }, 'object.limit'],
      [{ limit: '5' }, 'object.limit'],
      [{ offset: -1 }, 'object.offset'],
      [{ since: 'yesterday' }, 'object.since'],
      [{ before: '2024-13-45' }, 'object.before'],
      [{ limt: 5 }, 'object.limt'],
    ];
    for (const [extra, field] of cases) {
      const r = await feed(url, extra);
      expect([extra, errorCode(r), r.errors?.[0]?.message]).toEqual([extra, 'BAD_USER_INPUT', expect.stringContaining(`"${field}"`)]);
    }
    const wrongObject = await gql(hub.url, verb('fetch', 'id'), { input: { platform: 'feeds', actor: { id: url, type: 'feed' }, object: { type: 'message' } } }, token);
    expect([errorCode(wrongObject), wrongObject.errors?.[0]?.message]).toEqual(['BAD_USER_INPUT', expect.stringContaining('"object.type"')]);
    const wrongActor = await gql(hub.url, verb('fetch', 'id'), { input: { platform: 'feeds', actor: { id: url, type: 'person' } } }, token);
    expect([errorCode(wrongActor), wrongActor.errors?.[0]?.message]).toEqual(['BAD_USER_INPUT', expect.stringContaining('"actor.type"')]);
    const notUrl = await gql(hub.url, verb('fetch', 'id'), { input: { platform: 'feeds', actor: { id: 'just words', type: 'feed' } } }, token);
    expect([errorCode(notUrl), notUrl.errors?.[0]?.message]).toEqual(['BAD_USER_INPUT', expect.stringContaining('"actor.id"')]);
    const ftp = await feed('ftp://127.0.0.1/feed.xml');
    expect(errorCode(ftp)).toBe('BAD_USER_INPUT');
    expect(fx.hits.get('/unfetched.xml')).toBeUndefined();
  });

  it('says what is wrong with what is not a feed: PLATFORM_ERROR', async () => {
    const cases: [string, RegExp][] = [
      ['/malformed.xml', /malformed\.xml is not well-formed XML \(Unexpected close tag at line 7, column 14\)/],
      ['/missing.xml', /there is no feed at .*\/missing\.xml \(HTTP 404, not found\): check the address/],
      ['/page.html', new RegExp(`page\\.html is an HTML page, not a feed; it links to these feeds: ${fx.url('/blog/rss.xml')}, https://example.org/blog/atom.xml`)],
      ['/sitemap.xml', /sitemap\.xml is XML whose root element is <urlset>, not an RSS .* or Atom .* feed/],
      ['/big.xml', /big\.xml is larger than 5242880 bytes/],
    ];
    for (const [path, message] of cases) {
      const r = await feed(fx.url(path));
      expect([path, errorCode(r)]).toEqual([path, 'PLATFORM_ERROR']);
      expect(r.errors?.[0]?.message).toMatch(message);
    }
    const page = await feed(fx.url('/page.html'));
    expect(page.errors?.[0]?.extensions?.details).toEqual({ feeds: [fx.url('/blog/rss.xml'), 'https://example.org/blog/atom.xml'] });
  });

  it('gives up on a server that never finishes with TIMEOUT (HUBGRAPH_FETCH_TIMEOUT)', async () => {
    const started = Date.now();
    const r = await feed(fx.url('/never.xml'));
    expect(errorCode(r)).toBe('TIMEOUT');
    expect(r.errors?.[0]?.message).toMatch(/did not answer within 1500 ms/);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('serves a hundred fetches of one feed within the cache window with one upstream request', async () => {
    const url = fx.url('/polled.xml');
    const first = await fetched(url);
    const rest = await Promise.all(Array.from({ length: 99 }, (_, i) => fetched(url, i % 2 ? { limit: 1 } : undefined)));
    expect(fx.hits.get('/polled.xml')).toBe(1);
    expect(rest.filter((d, i) => i % 2 === 0).every((d) => JSON.stringify(d.object) === JSON.stringify(first.object))).toBe(true);
    expect(rest[1].object.items).toHaveLength(1);
  });

  it('costs one upstream request when a burst finds the cache cold, across jobs threads', async () => {
    const docs = await Promise.all(Array.from({ length: 40 }, () => fetched(fx.url('/burst.xml'))));
    expect(docs.every((d) => d.object.totalItems === 11)).toBe(true);
    expect(fx.hits.get('/burst.xml')).toBe(1);
  });

  it('revalidates a stale copy with If-None-Match and keeps it on 304 (HUBGRAPH_FETCH_CACHE=1)', async () => {
    const on = { h: strict, t: strictToken };
    const url = fx.url('/revalidated.xml');
    const first = await feed(url, undefined, on);
    expect(first.errors).toBeUndefined();
    await feed(url, undefined, on);
    expect([fx.hits.get('/revalidated.xml'), revalidations]).toEqual([1, 0]);
    await sleep(1100);
    const again = await feed(url, { limit: 2 }, on);
    expect([fx.hits.get('/revalidated.xml'), revalidations]).toEqual([2, 1]);
    expect(titles(again.data!.fetch.json)).toEqual(['n1', 'n2']);
    expect(again.data!.fetch.json.actor).toEqual(first.data!.fetch.json.actor);
  });

  it('refuses a redirect chain that ends on a private address with FORBIDDEN_ADDRESS, before connecting', async () => {
    const on = { h: strict, t: strictToken };
    // the fixture server itself is allowed (HUBGRAPH_ALLOWED_ADDRESSES=127.0.0.1/32)
    expect((await feed(fx.url('/blog/rss.xml'), { limit: 1 }, on)).errors).toBeUndefined();
    const viaHops = await feed(fx.url('/hop1'), undefined, on);
    expect(errorCode(viaHops)).toBe('FORBIDDEN_ADDRESS');
    expect(viaHops.errors?.[0]?.message).toMatch(/refused to connect to 127\.0\.0\.2: it is a loopback address/);
    const toTen = await feed(fx.url('/to-ten'), undefined, on);
    expect(errorCode(toTen)).toBe('FORBIDDEN_ADDRESS');
    expect(toTen.errors?.[0]?.message).toMatch(/10\.0\.0\.1: it is a private address/);
    expect(errorCode(await feed('http://10.0.0.1/feed.xml', undefined, on))).toBe('FORBIDDEN_ADDRESS');
    expect([fx.hits.get('/hop1'), fx.hits.get('/hop2'), fx.hits.get('/to-ten')]).toEqual([1, 1, 1]);
    expect(trapConnections).toBe(0);
  });
});
