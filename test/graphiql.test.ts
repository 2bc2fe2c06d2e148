// GraphiQL for browsers on GET /graphql: a self-contained page (bundled by
// @graphql-yoga/render-graphiql, nothing from a CDN) that opens on the openSession walkthrough,
// checked as HTML and then rendered in a real headless Chromium.
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GRAPHIQL_DEFAULT_QUERY } from '../src/api/graphiql.js';
import { dropPrefix, startHubgraph, stopAll, type Hubgraph } from './support/hubgraph.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
];

let hub: Hubgraph;
beforeAll(async () => { hub = await startHubgraph(); });
afterAll(async () => { await stopAll(); await dropPrefix(hub.prefix); });

describe('GraphiQL', () => {
  it('GET /graphql with accept: text/html serves the GraphiQL page with the openSession walkthrough, loading nothing from a CDN', async () => {
    const res = await fetch(hub.url, { headers: { accept: 'text/html' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).toContain('<title>hubgraph</title>');
    // the default query: openSession first, then where the token goes
    expect(html).toContain(JSON.stringify(GRAPHIQL_DEFAULT_QUERY));
    expect(GRAPHIQL_DEFAULT_QUERY).toMatch(/mutation \w+ \{\s*openSession \{\s*token/);
    expect(GRAPHIQL_DEFAULT_QUERY).toContain('"Authorization": "Bearer <token>"');
    // bundled: no script or stylesheet from another origin
    expect(html).toContain('renderYogaGraphiQL');
    expect(html).not.toMatch(/<(script|link)\b[^>]*\b(src|href)=["']?(https?:)?\/\//i);
  });

  it('renders in headless Chromium, the editor showing the openSession query, with no request beyond the server', async () => {
    const profile = await mkdtemp(join(tmpdir(), 'hubgraph-chromium-'));
    const shots = await mkdtemp(join(tmpdir(), 'hubgraph-graphiql-'));
    const browser = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: CHROMIUM_ARGS,
      viewport: { width: 1280, height: 800 },
    });
    try {
      const page = browser.pages()[0] ?? (await browser.newPage());
      const foreign: string[] = [];
      page.on('request', (r) => {
        const url = new URL(r.url());
        if (/^https?:$|^wss?:$/.test(url.protocol) && url.hostname !== '127.0.0.1') foreign.push(r.url());
      });
      const errors: string[] = [];
      page.on('pageerror', (err) => errors.push(err.message));

      await page.goto(hub.url, { waitUntil: 'load', timeout: 30_000 });
      await page.locator('.graphiql-query-editor').filter({ hasText: 'openSession' }).waitFor({ timeout: 30_000 });
      const screenshot = join(shots, 'graphiql.png');
      await page.screenshot({ path: screenshot });
      console.info(`GraphiQL screenshot: ${screenshot}`);

      expect((await stat(screenshot)).size).toBeGreaterThan(10_000);
      expect(await page.title()).toBe('hubgraph');
      expect(foreign).toEqual([]);
      expect(errors).toEqual([]);
    } finally {
      await browser.close();
      await rm(profile, { recursive: true, force: true });
    }
  }, 60_000);
});
