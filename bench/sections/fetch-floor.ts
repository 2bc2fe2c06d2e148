// The floor of the fetch section: the same work as the feeds and metadata platforms, done
// directly with their libraries in the bench process, with nothing of hubgraph around it. A
// keep-alive undici Agent GETs the fixture (undici is what hubgraph's fetcher uses), then
//   metadata: open-graph-scraper with `html` set to the page up to and including </head>
//             (hubgraph, too, stops reading at </head> when the head has a title and an image,
//             and hands open-graph-scraper even less: the head's <html>, <title> and the <meta>
//             tags it reads, platforms/metadata/extract.ts);
//   feed:     rss-parser's parseString on the whole text (one Parser with default options;
//             parseString builds a fresh xml2js parser per call).
import { Agent, request } from 'undici';
import Parser from 'rss-parser';
import ogs from 'open-graph-scraper';
import { FEED_ITEMS, PAGE_TITLE } from '../fixtures/generate.js';

export interface Floor {
  metadata(url: string): Promise<void>;
  feed(url: string): Promise<void>;
  close(): Promise<void>;
}

export function startFloorClient(connections: number): Floor {
  const agent = new Agent({ connections, keepAliveTimeout: 4000 });
  const parser = new Parser();
  const get = async (url: string): Promise<string> => {
    const res = await request(url, { dispatcher: agent });
    if (res.statusCode !== 200) {
      await res.body.dump();
      throw new Error(`floor: ${url} answered HTTP ${res.statusCode}`);
    }
    return res.body.text();
  };
  return {
    async metadata(url) {
      const html = await get(url);
      const end = html.indexOf('</head>');
      const { result } = await ogs({ html: end < 0 ? html : html.slice(0, end + '</head>'.length) });
      if (result.ogTitle !== PAGE_TITLE) throw new Error(`floor: open-graph-scraper read the title as ${JSON.stringify(result.ogTitle)}`);
    },
    async feed(url) {
      const feed = await parser.parseString(await get(url));
      if (feed.items.length !== FEED_ITEMS) throw new Error(`floor: rss-parser read ${feed.items.length} items, not ${FEED_ITEMS}`);
    },
    close: () => agent.close(),
  };
}
