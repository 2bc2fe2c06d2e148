// Every GraphQL example in docs/*.md runs here, so the docs cannot drift from the schema.
//
// Each ```graphql block is one operation, run in page order within one session per page (a
// `openSession` runs without a token). A ```json block right after it holds its variables. A
// block with `# error: CODE` must fail with that extensions.code. A block of type definitions
// (SDL) is compared with schema/schema.graphql instead: every field it shows must exist there with
// the same type. Subscriptions stay open until the page is done and must not fail.
// The examples name public hosts; here they point at local servers: irc.example.org → a real
// ngircd (plain text, its port), https://example.org/… → a local HTTP fixture serving a feed, a
// page and an image, example.org JIDs → a private Prosody (only where platforms/xmpp exists: the
// XMPP examples are skipped otherwise, with the reason in their name).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildSchema, Kind, parse, print, validate, type DocumentNode, type GraphQLNamedType, isObjectType, isInputObjectType, isInterfaceType } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropPrefix, startHubgraph, stopAll, type Hubgraph } from './support/hubgraph.js';
import { startNgircd, stopAllIrc, type Ngircd } from './support/ngircd.js';
import { serve, startFixtureServer, type FixtureServer } from './support/fixture-server.js';
import { collect, gql, wsClient, type Collected } from './support/client.js';
import type { Client } from 'graphql-ws';

const DOCS = fileURLToPath(new URL('../docs/', import.meta.url));
const XMPP = existsSync(fileURLToPath(new URL('../platforms/xmpp/index.ts', import.meta.url)));
const SCHEMA = buildSchema(readFileSync(new URL('../schema/schema.graphql', import.meta.url), 'utf8'));

export interface Example {
  file: string;
  line: number;
  query: string;
  variables?: Record<string, unknown>;
  /** the extensions.code the block says it fails with */
  error?: string;
  sdl: boolean;
  xmpp: boolean;
}

/** The ```graphql blocks of a Markdown page, each with the ```json block that follows it, if any. */
export function examples(file: string, text: string): Example[] {
  const out: Example[] = [];
  const fence = /^```(\w*)\n([\s\S]*?)^```$/gm;
  const blocks = [...text.matchAll(fence)].map((m) => ({ lang: m[1], body: m[2]!, start: m.index!, end: m.index! + m[0].length }));
  blocks.forEach((b, i) => {
    if (b.lang !== 'graphql') return;
    const next = blocks[i + 1];
    const json = next?.lang === 'json' && text.slice(b.end, next.start).trim() === '' ? next.body : undefined;
    const doc = parse(b.body);
    out.push({
      file,
      line: text.slice(0, b.start).split('\n').length,
      query: b.body,
      ...(json ? { variables: JSON.parse(json) as Record<string, unknown> } : {}),
      ...(/# error: (\w+)/.exec(b.body) ? { error: /# error: (\w+)/.exec(b.body)![1] } : {}),
      sdl: doc.definitions.every((d) => d.kind !== Kind.OPERATION_DEFINITION && d.kind !== Kind.FRAGMENT_DEFINITION),
      xmpp: /"xmpp"|platform: xmpp/.test(b.body + (json ?? '')),
    });
  });
  return out;
}

const pages = readdirSync(DOCS).filter((f) => f.endsWith('.md')).sort();
const byPage = new Map(pages.map((f) => [f, examples(f, readFileSync(DOCS + f, 'utf8'))]));

let hub: Hubgraph;
let ircd: Ngircd;
let fixtures: FixtureServer;
let prosody: { host: string; port: number; domain: string; stop(): Promise<void> } | undefined;

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP4z8DAwMDAxMDAwMDAAAANHQEDk+H0bQAAAABJRU5ErkJggg==', 'base64');

/** The example as run here: public hosts replaced by the local servers. */
function localize(text: string, json: boolean): string {
  const q = (k: string) => (json ? `"${k}"` : k);
  let s = text.replace(/("?server"?\s*:\s*)"irc\.example\.org"/g, `$1"${ircd.host}", ${q('port')}: ${ircd.port}, ${q('secure')}: false`);
  s = s.replaceAll('irc.example.org', ircd.host);
  s = s.replace(/https:\/\/example\.org(\/[^"\s]*)?/g, (_m, path: string | undefined) => fixtures.origin + (path ?? '/'));
  if (prosody) {
    s = s.replace(/("?userAddress"?\s*:\s*)"([^"@]+)@example\.org"/g, `$1"$2@${prosody.domain}", ${q('server')}: "${prosody.host}", ${q('port')}: ${prosody.port}`);
    s = s.replaceAll('example.org', prosody.domain);
  }
  return s;
}

beforeAll(async () => {
  [ircd, fixtures] = await Promise.all([
    startNgircd(),
    startFixtureServer({
      '/feed.xml': (req, res) => serve(`<?xml version="1.0"?><rss version="2.0"><channel><title>Example feed</title><link>http://${req.headers.host}/</link><description>docs</description>
        ${[1, 2, 3, 4].map((n) => `<item><title>Post ${n}</title><link>http://${req.headers.host}/post</link><guid>post-${n}</guid><pubDate>Mon, 0${n} Jun 2025 10:00:00 GMT</pubDate><description>Post ${n} in a few words</description></item>`).join('')}
        </channel></rss>`, { 'content-type': 'application/rss+xml' })(req, res),
      '/post': (req, res) => serve(`<!doctype html><html lang="en"><head><title>A post</title><meta property="og:title" content="A post worth a preview"><meta property="og:description" content="What it says"><meta property="og:image" content="http://${req.headers.host}/image.png"></head><body></body></html>`, { 'content-type': 'text/html' })(req, res),
      '/': serve('<!doctype html><html><head><title>Example home</title><meta name="description" content="The home page"></head><body></body></html>', { 'content-type': 'text/html' }),
      '/image.png': serve(PNG, { 'content-type': 'image/png' }),
    }),
  ]);
  if (XMPP) {
    const { startProsody } = await import(`./support/prosody${'.js'}`);
    prosody = await startProsody({ accounts: Object.fromEntries(['ada', 'bob', 'grace', 'me'].map((u) => [u, 'a-strong-password'])) });
  }
  // dummy: writing-a-platform.md shows the cycle on the test platform
  hub = await startHubgraph({ env: { HUBGRAPH_PLATFORMS: XMPP ? 'irc,xmpp,feeds,metadata,dummy' : 'irc,feeds,metadata,dummy', HUBGRAPH_IRC_FLOOD: '100:1000' } });
});

afterAll(async () => {
  await Promise.all([stopAll(), stopAllIrc(), fixtures?.close(), prosody?.stop()]);
  if (hub) await dropPrefix(hub.prefix);
});

describe('the examples in docs/', () => {
  it('has GraphQL examples for every platform and verb in the API guide', () => {
    const guide = (byPage.get('api-guide.md') ?? []).map((e) => e.query).join('\n');
    for (const v of ['connect', 'disconnect', 'join', 'leave', 'send', 'update', 'query']) expect(guide, `irc ${v}`).toMatch(new RegExp(`${v}\\(input: \\{platform: "irc"`));
    for (const v of ['connect', 'disconnect', 'join', 'leave', 'send', 'update', 'query', 'requestFriend', 'removeFriend', 'makeFriend']) expect(guide, `xmpp ${v}`).toMatch(new RegExp(`${v}\\(input: \\{platform: "xmpp"`));
    expect(guide).toMatch(/fetch\(input: \{platform: "feeds"/);
    expect(guide).toMatch(/fetch\(input: \{platform: "metadata"/);
  });

  it('links only to files and headings that exist (docs/ and the README)', () => {
    const slug = (h: string) => h.trim().toLowerCase().replace(/[^\p{L}\p{N} _-]/gu, '').replace(/ /g, '-');
    const anchors = (file: string) => new Set([...readFileSync(file, 'utf8').matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]!)));
    const root = fileURLToPath(new URL('../', import.meta.url));
    const sources = [...pages.map((p) => DOCS + p), root + 'README.md'];
    const broken: string[] = [];
    for (const src of sources) {
      const text = readFileSync(src, 'utf8').replace(/^```[\s\S]*?^```$/gm, '');
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const href = m[1]!;
        if (/^[a-z]+:/.test(href)) continue;
        const [path, anchor] = href.split('#') as [string, string | undefined];
        const target = path ? fileURLToPath(new URL(path, `file://${src}`)) : src;
        if (!existsSync(target)) broken.push(`${src}: ${href}`);
        else if (anchor && target.endsWith('.md') && !anchors(target).has(anchor)) broken.push(`${src}: ${href} (no such heading)`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('finds the examples of a page, their variables and expected errors', () => {
    const found = examples('x.md', 'text\n```graphql\nquery Q($a: Int) { platforms { id } } # error: NOPE\n```\n\n```json\n{"a": 1}\n```\n```graphql\ntype Session { id: ID! }\n```\n');
    expect(found).toMatchObject([{ line: 2, variables: { a: 1 }, error: 'NOPE', sdl: false }, { line: 9, sdl: true }]);
  });

  for (const page of pages) {
    const list = byPage.get(page)!;
    if (!list.length) continue;
    describe(page, () => {
      let token: string | undefined;
      let ws: Client | undefined;
      /** open subscriptions; `expects` once a connect ran after it opened (a connection's activities must reach it) */
      const subs: { name: string; c: Collected; expects: boolean }[] = [];
      afterAll(async () => {
        for (const s of subs) s.c.stop();
        await ws?.dispose();
        // free the page's IRC nicks for the next page
        if (token) await gql(hub.url, 'mutation { closeSession }', {}, token);
      });

      for (const ex of list) {
        const name = `line ${ex.line}: ${/^\s*(?:query|mutation|subscription|type|input)\s+(\w+)?/m.exec(ex.query)?.[0]?.trim() ?? ex.query.trim().split('\n')[0]}`;
        if (ex.xmpp && !XMPP) {
          // not run without the platform, but still checked against the schema
          it(`${name} is valid against the schema (not run: platforms/xmpp is not in this checkout)`, () => {
            expect(validate(SCHEMA, parse(ex.query)).map((e) => e.message)).toEqual([]);
          });
          continue;
        }
        if (ex.sdl) {
          it(`${name} matches schema/schema.graphql`, () => {
            for (const def of parse(ex.query).definitions) {
              if (!('name' in def) || !def.name || !('fields' in def)) continue;
              const type = SCHEMA.getType(def.name.value) as GraphQLNamedType | undefined;
              expect(type, def.name.value).toBeDefined();
              if (!type || !(isObjectType(type) || isInputObjectType(type) || isInterfaceType(type))) continue;
              const fields = type.getFields();
              for (const f of def.fields ?? []) {
                const real = fields[f.name.value];
                expect(real, `${def.name.value}.${f.name.value}`).toBeDefined();
                expect(String(real!.type), `${def.name.value}.${f.name.value}`).toBe(print(f.type));
              }
            }
          });
          continue;
        }
        it(name, async () => {
          const query = localize(ex.query, false);
          const variables = ex.variables ? (JSON.parse(localize(JSON.stringify(ex.variables), true)) as Record<string, unknown>) : undefined;
          const doc: DocumentNode = parse(query);
          const op = doc.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
          const opens = /\bopenSession\b/.test(query);
          if (!token && !opens) {
            const r = await gql<{ openSession: { token: string } }>(hub.url, 'mutation { openSession { token } }');
            token = r.data!.openSession.token;
          }
          if (op?.kind === Kind.OPERATION_DEFINITION && op.operation === 'subscription') {
            ws ??= wsClient(hub.wsUrl, token);
            const c = collect(ws, query, variables);
            if (ex.error) {
              // refused on its own: an `error` message for this subscription
              const deadline = Date.now() + 10_000;
              while (!c.errors.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
              expect(JSON.stringify(c.errors)).toContain(`"code":"${ex.error}"`);
              return;
            }
            subs.push({ name, c, expects: false });
            // accepted: no error within a moment (an invalid document fails at once)
            await new Promise((r) => setTimeout(r, 300));
            expect(c.errors, name).toEqual([]);
            return;
          }
          const r = await gql(hub.url, query, variables, opens ? undefined : token);
          if (ex.error) {
            expect(r.errors?.[0]?.extensions?.code, JSON.stringify(r.errors)).toBe(ex.error);
          } else {
            expect(r.errors, `${page}:${ex.line}\n${query}`).toBeUndefined();
            expect(r.data).toBeTruthy();
            if (opens) token = (r.data as { openSession: { token: string } }).openSession.token;
            if (/\bconnect\(/.test(query)) for (const s of subs) s.expects = true;
          }
        }, 30_000);
      }

      it('its subscriptions did not fail, and received the activities of the connections opened after them', () => {
        for (const s of subs) {
          expect(s.c.errors, s.name).toEqual([]);
          if (s.expects) expect(s.c.items.length, s.name).toBeGreaterThan(0);
        }
      });
    });
  }
});
