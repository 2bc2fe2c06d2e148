// open-graph-scraper gets a document made of the head's metadata (extract.ts, headDocument) instead
// of the head itself: every preview must read the same either way, on the fixture pages and on
// heads written to trip a scan (entities, case, comments, scripts, <noscript>, unclosed <title>).
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { extract } from './extract.js';
import { toPage } from './translate.js';

const HEADS = [
  `<html lang="de"><head><title>T1</title><title>T2</title><META PROPERTY="OG:TITLE" CONTENT="Up"><meta property="og:image" content="/i.png"><meta property="og:image:width" content="300"></head>`,
  `<html><head><meta name="title" content="Meta title"><meta itemprop="description" content="Item desc"><meta property="&#111;g:site_name" content="Ent"></head>`,
  `<html><head><!-- <meta property="og:title" content="Commented"> --><title></title><meta property="og:title" content=""><meta property="og:title" content="Second"></head>`,
  `<html><head><noscript><meta property="og:title" content="NS"></noscript><title>Real</title></head>`,
  `<html><head><title>Unclosed <meta property="og:title" content="In title"></head>`,
  `<html xml:lang="en" lang="en-US"><head><meta name="twitter:image:src" content="https://x.example/a.jpg"><meta property="og:video:url" content="https://v.example/v.mp4"><meta property="og:video:width" content="640"><meta name="application-name" content="App"><meta property="og:updated_time" content="2024-01-01T00:00:00Z"><meta itemprop="inLanguage" content="fr"></head>`,
  `<html><head><meta property="og:title" content="A &amp; B &eacute;"><meta property="og:description" content='single "quoted"'><meta content="rev" property="og:type"><meta property=og:url content=/canon></head>`,
  `<html><head><script>var x="<meta property=\\"og:title\\" content=\\"S\\">";</script><style>/* <title>x</title> */</style><title>After</title></head>`,
  `<head><meta property="og:image" content="a.gif"><meta property="og:image" content="b.jpg"><meta property="og:image:width" content="10"></head>`,
  `<html><head><meta charset="iso-8859-1"><meta property="og:locale" content="en_US"><meta name="description" content="  spaced  "></head>`,
];

const head = (html: string) => {
  const end = html.search(/<\/head>/i);
  return end < 0 ? html : html.slice(0, end + '</head>'.length);
};
const fixtures = readdirSync(new URL('./fixtures/', import.meta.url)).filter((f) => f.endsWith('.html'));
const context = { url: 'https://site.example/dir/page.html', mediaType: 'text/html', charset: 'utf-8' };

describe('metadata extraction from the head', () => {
  it('previews the same from the head\'s metadata document as from the whole head', async () => {
    const heads = [...HEADS, ...fixtures.map((f) => head(readFileSync(new URL(`./fixtures/${f}`, import.meta.url), 'latin1')))];
    for (const h of heads) {
      const whole = toPage(await extract(h), context);
      expect([h, toPage(await extract(h, true), context)]).toEqual([h, whole]);
    }
    // the cases above are not trivially equal: they hold titles, images and languages
    expect(toPage(await extract(HEADS[0]!, true), context)).toMatchObject({ name: 'Up', language: 'de', image: [{ url: 'https://site.example/i.png', width: 300 }] });
  });
});
