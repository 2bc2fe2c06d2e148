// The demo web app in a real browser (Debian's chromium, headless, driven by playwright-core)
// against the real gateway at `/`, a real ngircd with an outside raw IRC client, and local HTTP
// fixtures for a feed and a page to preview. Each test saves a screenshot in test/artifacts/.
// XMPP runs only where platforms/xmpp exists (with a private Prosody, test/support/prosody.ts).
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropPrefix, startHubgraph, stopAll, uniquePrefix, type Hubgraph } from './support/hubgraph.js';
import { createServer } from 'node:net';
import { startNgircd, stopAllIrc, type Ngircd } from './support/ngircd.js';
import { connectRawIrc, type RawIrc } from './support/raw-irc.js';
import { serve, startFixtureServer, type FixtureServer } from './support/fixture-server.js';
import { ConfigError, parseConfig } from '../src/config.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ARTIFACTS = fileURLToPath(new URL('./artifacts/', import.meta.url));
const XMPP = existsSync(fileURLToPath(new URL('../platforms/xmpp/index.ts', import.meta.url)));
const UI_TIMEOUT = 20_000;

// a 2x2 PNG, for the preview's image
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP4z8DAwMDAxMDAwMDAAAANHQEDk+H0bQAAAABJRU5ErkJggg==', 'base64');

let hub: Hubgraph;
let ircd: Ngircd;
let fixtures: FixtureServer;
let browser: BrowserContext;
let profile: string;
const outsiders: RawIrc[] = [];
const pageErrors: string[] = [];

function feed(origin: string): string {
  const item = (n: number) => `<item><title>Entry number ${n}</title><link>${origin}/posts/${n}</link><guid>${origin}/posts/${n}</guid>
    <pubDate>Mon, 0${n} Jan 2024 10:00:00 GMT</pubDate><description>Summary of entry ${n}</description></item>`;
  return `<?xml version="1.0"?><rss version="2.0"><channel><title>The demo feed</title><link>${origin}/</link>
    <description>Three entries for the browser test</description>${[1, 2, 3].map(item).join('')}</channel></rss>`;
}

function article(origin: string): string {
  return `<!doctype html><html lang="en"><head><title>fallback title</title>
    <meta property="og:title" content="A page worth previewing">
    <meta property="og:description" content="Its description, from Open Graph.">
    <meta property="og:site_name" content="Fixture site">
    <meta property="og:image" content="${origin}/image.png">
    <meta property="og:image:alt" content="a tiny square"></head><body><p>hello</p></body></html>`;
}

async function newPage(): Promise<Page> {
  const page = await browser.newPage();
  page.on('pageerror', (err) => pageErrors.push(err.message));
  return page;
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, `web-${name}.png`), fullPage: true });
}

/** The demo's address: the gateway's root. */
const demoUrl = () => hub.url.replace(/\/graphql$/, '/');

async function ready(page: Page, hash = ''): Promise<void> {
  await page.goto(demoUrl() + hash, { waitUntil: 'load' });
  await page.locator('body[data-ready="true"]').waitFor({ timeout: UI_TIMEOUT });
}

beforeAll(async () => {
  await mkdir(ARTIFACTS, { recursive: true });
  [ircd, fixtures] = await Promise.all([
    startNgircd(),
    startFixtureServer({
      '/feed.xml': (req, res) => serve(feed(`http://${req.headers.host}`), { 'content-type': 'application/rss+xml' })(req, res),
      '/article': (req, res) => serve(article(`http://${req.headers.host}`), { 'content-type': 'text/html; charset=utf-8' })(req, res),
      '/image.png': serve(PNG, { 'content-type': 'image/png' }),
    }),
  ]);
  hub = await startHubgraph({ env: { HUBGRAPH_PLATFORMS: XMPP ? 'irc,xmpp,feeds,metadata' : 'irc,feeds,metadata', HUBGRAPH_IRC_FLOOD: '100:1000' } });
  profile = await mkdtemp(join(tmpdir(), 'hubgraph-web-'));
  browser = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1100, height: 900 } });
});

afterAll(async () => {
  await browser?.close();
  if (profile) await rm(profile, { recursive: true, force: true });
  for (const o of outsiders) o.close();
  await Promise.all([stopAll(), stopAllIrc(), fixtures?.close()]);
  if (hub) await dropPrefix(hub.prefix);
});

describe('the demo web app at /', () => {
  it('is served at / by default (HTML with a CSP, hashed assets cached), and names its platforms on the first screen', async () => {
    const res = await fetch(demoUrl());
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await res.text();
    const asset = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset).toBeDefined();
    const js = await fetch(demoUrl() + asset);
    expect(js.status).toBe(200);
    expect(js.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(demoUrl() + '../../etc/passwd')).status).toBe(404);
    expect((await fetch(demoUrl() + 'assets/nothing.js')).status).toBe(404);

    const page = await newPage();
    await ready(page);
    for (const name of ['IRC', 'XMPP', 'Feeds', 'Link previews']) await expect(page.locator('#platforms h3', { hasText: name }).count()).resolves.toBe(1);
    await page.locator('#platforms li[data-platform="irc"] .availability', { hasText: 'available on this gateway' }).waitFor({ timeout: UI_TIMEOUT });
    await expect(page.locator('#status').textContent()).resolves.toMatch(/Session opened/);
    await shot(page, 'home');
    // every field of every form has a label
    const unlabeled = await page.$$eval('input, select', (els) => els.filter((e) => !e.id || !document.querySelector(`label[for="${e.id}"]`)).map((e) => e.outerHTML));
    expect(unlabeled).toEqual([]);
    await page.close();
  }, 60_000);

  it('IRC: connect, join, receive from an outside client, send, then leave and come back to see the missed messages restored', async () => {
    const outsider = await connectRawIrc(ircd.host, ircd.port, 'outsider');
    outsiders.push(outsider);
    await outsider.join('#demo');
    const page = await newPage();
    const irc = page.locator('#page-irc');
    await ready(page);
    // by keyboard: the nav link, then the form
    await page.locator('nav a[href="#irc"]').focus();
    await page.keyboard.press('Enter');
    await page.locator('#page-irc').waitFor({ state: 'visible' });
    await irc.getByLabel('Nick', { exact: true }).fill('webby');
    await irc.getByLabel('Server', { exact: true }).fill(ircd.host);
    await irc.getByLabel('Port', { exact: true }).fill(String(ircd.port));
    await irc.getByLabel('TLS', { exact: true }).uncheck();
    await irc.getByRole('button', { name: 'Connect' }).click();
    await page.locator('#irc-me', { hasText: 'Connected as webby' }).waitFor({ timeout: UI_TIMEOUT });

    await irc.getByLabel('Channel', { exact: true }).fill('#demo');
    await irc.getByLabel('Channel', { exact: true }).press('Enter');
    await outsider.waitFor(/^:webby!\S+ JOIN :?#demo/i, 10_000);
    // the people in the channel, from the attendance query (outsider created it: operator)
    await page.locator('#irc-members li', { hasText: '@outsider' }).waitFor({ timeout: UI_TIMEOUT });
    await page.locator('#irc-members li', { hasText: 'webby' }).waitFor({ timeout: UI_TIMEOUT });

    outsider.privmsg('#demo', 'hello from outside');
    await page.locator('#irc-messages li', { hasText: 'hello from outside' }).waitFor({ timeout: UI_TIMEOUT });

    await irc.getByLabel('Message', { exact: true }).fill('hello from the browser');
    await irc.getByLabel('Message', { exact: true }).press('Enter');
    await outsider.waitFor(/^:webby!\S+ PRIVMSG #demo :hello from the browser$/, 10_000);
    await page.locator('#irc-messages li', { hasText: 'hello from the browser' }).waitFor({ timeout: UI_TIMEOUT });

    // the topic, set from the page, comes back from the server
    await irc.getByLabel('Set topic', { exact: true }).fill('demo topic');
    await irc.getByLabel('Set topic', { exact: true }).press('Enter');
    await page.locator('#irc-topic', { hasText: 'demo topic' }).waitFor({ timeout: UI_TIMEOUT });
    await shot(page, 'irc');

    // the tab goes elsewhere; two messages are said meanwhile; the tab comes back
    await page.goto('about:blank');
    outsider.privmsg('#demo', 'missed one');
    outsider.privmsg('#demo', 'missed two');
    await new Promise((r) => setTimeout(r, 1500)); // the gateway has them in the session's stream
    await ready(page, '#irc');
    await page.locator('#restored', { hasText: '2 missed messages restored' }).waitFor({ timeout: UI_TIMEOUT });
    await expect(page.locator('#status').textContent()).resolves.toMatch(/Session resumed/);
    await page.locator('#irc-messages li.restored', { hasText: 'missed two' }).waitFor({ timeout: UI_TIMEOUT });
    const lines = await page.locator('#irc-messages li .text').allTextContents();
    // what was shown before is still there, each line once, in order
    expect(lines.filter((l) => /hello from|missed/.test(l))).toEqual(['hello from outside', 'hello from the browser', 'missed one', 'missed two']);
    await shot(page, 'irc-restored');

    // a plain reload with nothing missed: the history stays, no marker, and the connection is still up
    await page.reload();
    await page.locator('body[data-ready="true"]').waitFor({ timeout: UI_TIMEOUT });
    await page.locator('#irc-messages li', { hasText: 'missed two' }).waitFor({ timeout: UI_TIMEOUT });
    expect(await page.locator('#restored').isHidden()).toBe(true);
    outsider.privmsg('#demo', 'still live');
    await page.locator('#irc-messages li', { hasText: 'still live' }).waitFor({ timeout: UI_TIMEOUT });

    // a new nick: the server tells the channel, the page renames us in the list of people
    await irc.getByLabel('New nick', { exact: true }).fill('webby2');
    await irc.getByLabel('New nick', { exact: true }).press('Enter');
    await outsider.waitFor(/^:webby!\S+ NICK :?webby2$/, 10_000);
    await page.locator('#irc-members li', { hasText: /^webby2$/ }).waitFor({ timeout: UI_TIMEOUT });
    await page.locator('#irc-messages li', { hasText: 'webby is now known as webby2' }).waitFor({ timeout: UI_TIMEOUT });
    await page.close();
  }, 90_000);

  it('IRC: the API process goes away and a new one comes up on the same address: the page resubscribes from its newest cursor and restores what it missed', async () => {
    // api and worker apart: the IRC connection lives in the worker while the API is down
    const prefix = uniquePrefix();
    const env = { HUBGRAPH_PLATFORMS: 'irc,feeds,metadata', HUBGRAPH_IRC_FLOOD: '100:1000' };
    const port = await new Promise<number>((resolve) => {
      const probe = createServer().listen(0, '127.0.0.1', () => {
        const p = (probe.address() as { port: number }).port;
        probe.close(() => resolve(p));
      });
    });
    const worker = await startHubgraph({ role: 'worker', prefix, env });
    let api = await startHubgraph({ role: 'api', prefix, env: { ...env, PORT: String(port) } });
    const outsider = await connectRawIrc(ircd.host, ircd.port, 'outsider2');
    outsiders.push(outsider);
    await outsider.join('#drop');
    const page = await newPage();
    const irc = page.locator('#page-irc');
    try {
      await page.goto(api.url.replace(/\/graphql$/, '/#irc'), { waitUntil: 'load' });
      await page.locator('body[data-ready="true"]').waitFor({ timeout: UI_TIMEOUT });
      await irc.getByLabel('Nick', { exact: true }).fill('dropper');
      await irc.getByLabel('Server', { exact: true }).fill(ircd.host);
      await irc.getByLabel('Port', { exact: true }).fill(String(ircd.port));
      await irc.getByLabel('TLS', { exact: true }).uncheck();
      await irc.getByRole('button', { name: 'Connect' }).click();
      await page.locator('#irc-me', { hasText: 'Connected as dropper' }).waitFor({ timeout: UI_TIMEOUT });
      await irc.getByLabel('Channel', { exact: true }).fill('#drop');
      await irc.getByLabel('Channel', { exact: true }).press('Enter');
      await outsider.waitFor(/^:dropper!\S+ JOIN :?#drop/i, 10_000);
      outsider.privmsg('#drop', 'before the drop');
      await page.locator('#irc-messages li', { hasText: 'before the drop' }).waitFor({ timeout: UI_TIMEOUT });

      await api.stop();
      await page.locator('#status', { hasText: 'offline' }).waitFor({ timeout: UI_TIMEOUT });
      outsider.privmsg('#drop', 'during the drop 1');
      outsider.privmsg('#drop', 'during the drop 2');
      outsider.privmsg('#drop', 'during the drop 3');
      await new Promise((r) => setTimeout(r, 1000));
      api = await startHubgraph({ role: 'api', prefix, env: { ...env, PORT: String(port) } });

      await page.locator('#restored', { hasText: '3 missed messages restored' }).waitFor({ timeout: 30_000 });
      await page.locator('#status', { hasText: 'live' }).waitFor({ timeout: UI_TIMEOUT });
      const lines = await page.locator('#irc-messages li .text').allTextContents();
      expect(lines.filter((l) => /drop/.test(l))).toEqual(['before the drop', 'during the drop 1', 'during the drop 2', 'during the drop 3']);
      await shot(page, 'irc-network-drop');
    } finally {
      await page.close();
      await api.stop();
      await worker.stop();
      await dropPrefix(prefix);
    }
  }, 90_000);

  it('feeds: a feed renders its items', async () => {
    const page = await newPage();
    await ready(page, '#feeds');
    await page.getByLabel('Feed address').fill(fixtures.url('/feed.xml'));
    await page.getByRole('button', { name: 'Read' }).click();
    await page.locator('#feed-title', { hasText: 'The demo feed' }).waitFor({ timeout: UI_TIMEOUT });
    expect(await page.locator('#feed-items li h4').allTextContents()).toEqual(['Entry number 1', 'Entry number 2', 'Entry number 3']);
    expect(await page.locator('#feed-items li a').first().getAttribute('href')).toBe(fixtures.url('/posts/1'));
    await shot(page, 'feeds');
    // the log shows the fetch going out and its result coming back, as ActivityStreams JSON
    await page.locator('nav a[href="#log"]').click();
    await page.locator('#log li.out pre', { hasText: '"platform": "feeds"' }).waitFor({ timeout: UI_TIMEOUT });
    await page.locator('#log li.result pre', { hasText: '"@context"' }).first().waitFor({ timeout: UI_TIMEOUT });
    await shot(page, 'log');
    await page.close();
  }, 60_000);

  it('link preview: shows the title, description and image of a page, on a phone-sized screen', async () => {
    const page = await newPage();
    await page.setViewportSize({ width: 375, height: 740 });
    await ready(page, '#preview');
    await page.getByLabel('Page address').fill(fixtures.url('/article'));
    await page.getByLabel('Page address').press('Enter');
    await page.locator('#preview-name', { hasText: 'A page worth previewing' }).waitFor({ timeout: UI_TIMEOUT });
    await expect(page.locator('#preview-summary').textContent()).resolves.toBe('Its description, from Open Graph.');
    await expect(page.locator('#preview-site').textContent()).resolves.toBe('Fixture site');
    const img = page.locator('#preview-image');
    expect(await img.getAttribute('src')).toBe(fixtures.url('/image.png'));
    expect(await img.getAttribute('alt')).toBe('a tiny square');
    await page.waitForFunction(() => (document.getElementById('preview-image') as HTMLImageElement).naturalWidth === 2, undefined, { timeout: UI_TIMEOUT });
    // nothing wider than the screen
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
    await shot(page, 'preview-phone');
    await page.close();
    expect(pageErrors).toEqual([]);
  }, 60_000);

  it.skipIf(!XMPP)('XMPP: one-to-one chat both ways and an accepted friend request, with an outside client (skipped when platforms/xmpp is absent: the platform is not on this branch yet)', async () => {
    // loaded only when the platform exists (its test support comes with it)
    const { startProsody, stopAllProsody } = await import(`./support/prosody${'.js'}`);
    const { client, xml } = await import('@xmpp/client');
    const prosody = await startProsody({ accounts: { webuser: 'webuserpass', friend: 'friendpass' } });
    const stanzas: { is(name: string): boolean; getChildText(name: string): string | null; attrs: Record<string, string> }[] = [];
    const friend = client({ service: `xmpp://${prosody.host}:${prosody.port}`, domain: prosody.domain, username: 'friend', password: 'friendpass', resource: 'plain' });
    friend.on('stanza', (s: (typeof stanzas)[number]) => stanzas.push(s));
    friend.on('error', () => { /* shown by the waits below */ });
    try {
      await friend.start();
      // an "interested resource" (RFC 6121 §2.2) asks for its roster first, else the server keeps subscription presence from it
      await friend.iqCaller.get(xml('query', { xmlns: 'jabber:iq:roster' }));
      await friend.send(xml('presence'));
      const page = await newPage();
      const xmpp = page.locator('#page-xmpp');
      await ready(page, '#xmpp');
      const me = `webuser@${prosody.domain}`;
      await xmpp.getByLabel('Address (bare JID)', { exact: true }).fill(me);
      await xmpp.getByLabel('Password', { exact: true }).fill('webuserpass');
      await xmpp.getByLabel('Server host (optional)', { exact: true }).fill(prosody.host);
      await xmpp.getByLabel('Port (optional)', { exact: true }).fill(String(prosody.port));
      await xmpp.getByRole('button', { name: 'Connect' }).click();
      await page.locator('#xmpp-me', { hasText: `Online as ${me}` }).waitFor({ timeout: UI_TIMEOUT });

      // the friend writes first: the conversation appears in the list
      await friend.send(xml('message', { to: me, type: 'chat' }, xml('body', {}, 'hi from a plain client')));
      await page.locator('#xmpp-contacts button', { hasText: `friend@${prosody.domain}` }).first().click({ timeout: UI_TIMEOUT });
      await page.locator('#xmpp-messages li', { hasText: 'hi from a plain client' }).waitFor({ timeout: UI_TIMEOUT });
      await xmpp.getByLabel('Message', { exact: true }).fill('hi back from the browser');
      await xmpp.getByLabel('Message', { exact: true }).press('Enter');
      const deadline = Date.now() + UI_TIMEOUT;
      while (!stanzas.some((s) => s.is('message') && s.getChildText('body') === 'hi back from the browser')) {
        if (Date.now() > deadline) throw new Error('the plain client never got the message from the browser');
        await new Promise((r) => setTimeout(r, 50));
      }
      await page.locator('#xmpp-messages li', { hasText: 'hi back from the browser' }).waitFor({ timeout: UI_TIMEOUT });

      // a friend request from the plain client, accepted from the contact list
      await friend.send(xml('presence', { to: me, type: 'subscribe' }));
      await xmpp.getByRole('button', { name: `Accept friend@${prosody.domain}` }).click({ timeout: UI_TIMEOUT });
      const until = Date.now() + UI_TIMEOUT;
      while (!stanzas.some((s) => s.is('presence') && s.attrs.type === 'subscribed')) {
        if (Date.now() > until) throw new Error('the plain client never got the acceptance');
        await new Promise((r) => setTimeout(r, 50));
      }
      await shot(page, 'xmpp');
      await page.close();
    } finally {
      await friend.stop().catch(() => undefined);
      await stopAllProsody();
    }
  }, 60_000);
});

describe('HUBGRAPH_DEMO and HUBGRAPH_DEMO_PATH', () => {
  it('--demo-path /demo serves the app there (redirecting /demo to /demo/), not at /; GraphQL is unchanged', async () => {
    const moved = await startHubgraph({ args: ['--demo-path', '/demo'] });
    const origin = moved.url.replace(/\/graphql$/, '');
    const bare = await fetch(`${origin}/demo`, { redirect: 'manual' });
    expect(bare.status).toBe(308);
    expect(bare.headers.get('location')).toBe('/demo/');
    const html = await (await fetch(`${origin}/demo/`)).text();
    expect(html).toContain('<title>hubgraph demo</title>');
    const asset = /src="\.\/(assets\/[^"]+\.js)"/.exec(html)![1];
    expect((await fetch(`${origin}/demo/${asset}`)).status).toBe(200);
    expect((await fetch(`${origin}/`)).status).toBe(404);
    const r = await fetch(moved.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: 'mutation { openSession { token } }' }) });
    expect(((await r.json()) as { data: { openSession: { token: string } } }).data.openSession.token).toBeTruthy();
    await moved.stop();
  }, 60_000);

  it('HUBGRAPH_DEMO=0 turns it off', async () => {
    const off = await startHubgraph({ env: { HUBGRAPH_DEMO: '0' } });
    const origin = off.url.replace(/\/graphql$/, '');
    expect((await fetch(`${origin}/`)).status).toBe(404);
    expect((await fetch(`${origin}/healthz`)).status).toBe(200);
    await off.stop();
  }, 60_000);

  it('refuses a demo path that is not an absolute path, or that would hide the API', () => {
    const demoPath = (v: string) => parseConfig(['--demo-path', v], {});
    expect(demoPath('/demo')).toMatchObject({ config: { demoPath: '/demo/', demo: true } });
    expect(parseConfig([], {})).toMatchObject({ config: { demoPath: '/', demo: true } });
    expect(parseConfig([], { HUBGRAPH_DEMO: 'off' })).toMatchObject({ config: { demo: false } });
    for (const bad of ['demo', '/a/../b', '/graphql/demo', '/healthz', '//x', '/a b']) expect(() => demoPath(bad), bad).toThrow(ConfigError);
  });
});
