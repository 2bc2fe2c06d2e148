// Command line and sizes: the full run (about 5 minutes) and --quick (about 2 minutes).
import { parseArgs } from 'node:util';
import type { FetchSizes } from './sections/fetch.js';
import type { IrcSizes } from './sections/irc.js';
import type { ScaleSizes } from './sections/scale.js';
import type { SoakSizes } from './sections/soak.js';
import type { XmppSizes } from './sections/xmpp.js';

export interface LoadSizes {
  warmUp: number;
  sequential: number;
  concurrent: number;
  inFlight: number;
  /** time bound of each measured loop */
  maxMs: number;
}

export interface FanoutSizes {
  /** subscriber counts, each measured against hubgraph and the floor */
  subscribers: number[];
  /** events per subscriber in one burst, by subscriber count */
  burstEvents: Record<number, number>;
  bursts: number;
  /** length of the paced latency run */
  pacedMs: number;
}

export interface Options {
  quick: boolean;
  /** run one section only (development, profiling); the full bench runs them all */
  only: Section | undefined;
  /** write a CPU profile of the hubgraph process (node --cpu-prof) to this directory */
  profileDir: string | undefined;
  verbs: LoadSizes;
  queue: LoadSizes;
  fanout: FanoutSizes;
  /** feeds and metadata fetching local fixtures: 20 concurrent clients, as the targets say */
  fetch: FetchSizes;
  /** the IRC platform against a local ngircd: sessions held (memory, connect time, lag) and send/receive latency */
  irc: IrcSizes;
  /** several worker processes: throughput one vs two, sessions held, recovery after a SIGKILL */
  scale: ScaleSizes;
  /** 200 IRC sessions with steady traffic for minutes: memory and lag over time, then an IRC server restart */
  soak: SoakSizes;
  /** the XMPP platform against a local Prosody: sessions held (memory, connect time) and send/receive latency */
  xmpp: XmppSizes;
  /** HUBGRAPH_SUBSCRIBER_BUFFER for the bench: bursts queue many frames per socket */
  subscriberBufferBytes: number;
}

export const SECTIONS = ['fetch', 'irc', 'xmpp', 'scale', 'soak'] as const;
export type Section = (typeof SECTIONS)[number];

/** concurrent clients of the fetch section (the targets are set at 20) */
export const FETCH_CLIENTS = 20;

const USAGE = `npm run bench [-- --quick] [-- --only fetch|irc|xmpp|scale|soak] [-- --soak-minutes N] [-- --profile <dir>]
  --quick          fewer calls and events, a shorter paced run; IRC sessions at 100 and 1,000 only
  --only fetch     only the feeds/metadata fetch section (for working on it, or profiling it)
  --only irc       only the IRC section (sessions held, send/receive latency; needs ngircd)
  --only xmpp      only the XMPP section (100 and 1,000 sessions held, send/receive latency; needs prosody)
  --only scale     only the scale-out section (one vs two workers; recovery of 1,000 IRC connections after a SIGKILL)
  --only soak      only the soak run (200 IRC sessions with steady traffic; 10 minutes, 1 with --quick)
  --soak-minutes N how long the soak run lasts (default 10, or 1 with --quick; 0 skips it)
  --profile <dir>  also write CPU profiles of the hubgraph processes to <dir> (the fetch section's to
                   <dir>/fetch-cache-off and <dir>/fetch-cache-on; bench/profile-summary.ts reads those)
                   (profiling slows the server: compare such a run only with another profiled run)`;

export function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({ args: argv, options: { quick: { type: 'boolean' }, only: { type: 'string' }, profile: { type: 'string' }, 'soak-minutes': { type: 'string' }, help: { type: 'boolean' } }, strict: true });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const quick = values.quick === true;
  if (values.only !== undefined && !(SECTIONS as readonly string[]).includes(values.only)) {
    process.stderr.write(`bench: --only takes ${SECTIONS.map((x) => `"${x}"`).join(', ')}, not "${values.only}"\n${USAGE}\n`);
    process.exit(2);
  }
  return {
    quick,
    only: values.only as Section | undefined,
    profileDir: values.profile,
    verbs: quick
      ? { warmUp: 300, sequential: 300, concurrent: 600, inFlight: 50, maxMs: 15_000 }
      : { warmUp: 1000, sequential: 1000, concurrent: 2000, inFlight: 50, maxMs: 30_000 },
    queue: quick
      ? { warmUp: 100, sequential: 300, concurrent: 600, inFlight: 50, maxMs: 15_000 }
      : { warmUp: 200, sequential: 1000, concurrent: 2000, inFlight: 50, maxMs: 30_000 },
    fanout: quick
      ? { subscribers: [1, 100, 1000], burstEvents: { 1: 5000, 100: 300, 1000: 60 }, bursts: 3, pacedMs: 1000 }
      : { subscribers: [1, 100, 1000], burstEvents: { 1: 20_000, 100: 1000, 1000: 200 }, bursts: 5, pacedMs: 3000 },
    fetch: quick
      ? {
          metadata: { warmUp: 100, sequential: 300, concurrent: 600, inFlight: FETCH_CLIENTS, maxMs: 8_000 },
          feed: { warmUp: 60, sequential: 200, concurrent: 400, inFlight: FETCH_CLIENTS, maxMs: 8_000 },
          cached: { warmUp: 50, sequential: 200, concurrent: 400, inFlight: FETCH_CLIENTS, maxMs: 5_000 },
        }
      : {
          metadata: { warmUp: 200, sequential: 1000, concurrent: 2000, inFlight: FETCH_CLIENTS, maxMs: 15_000 },
          feed: { warmUp: 100, sequential: 600, concurrent: 1000, inFlight: FETCH_CLIENTS, maxMs: 15_000 },
          cached: { warmUp: 100, sequential: 500, concurrent: 1000, inFlight: FETCH_CLIENTS, maxMs: 8_000 },
        },
    irc: quick
      ? { sessions: [100, 1000], inFlight: 50, latencySamples: 80, gapMs: 550 }
      : { sessions: [100, 1000, 10_000], inFlight: 50, latencySamples: 200, gapMs: 550 },
    scale: quick
      ? { sessions: 300, echoCalls: 1000, echoInFlight: 50, maxMs: 15_000 }
      : { sessions: 1000, echoCalls: 3000, echoInFlight: 50, maxMs: 30_000 },
    soak: {
      sessions: 200,
      // 0 skips the soak run (a full bench without its ten minutes)
      minutes: values['soak-minutes'] !== undefined ? (Number(values['soak-minutes']) <= 0 ? 0 : Math.max(0.5, Number(values['soak-minutes']))) : quick ? 1 : 10,
      sampleEverySeconds: quick ? 10 : 30,
      sendEveryMs: 5000,
    },
    xmpp: quick
      ? { sessions: [100, 1000], inFlight: 20, latencySamples: 100, gapMs: 20 }
      : { sessions: [100, 1000], inFlight: 20, latencySamples: 300, gapMs: 20 },
    subscriberBufferBytes: 64 * 1024 * 1024,
  };
}
