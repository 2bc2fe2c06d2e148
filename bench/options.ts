// Command line and sizes: the full run (a few minutes) and --quick (about a minute).
import { parseArgs } from 'node:util';

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
  /** write a CPU profile of the hubgraph process (node --cpu-prof) to this directory */
  profileDir: string | undefined;
  verbs: LoadSizes;
  queue: LoadSizes;
  fanout: FanoutSizes;
  /** HUBGRAPH_SUBSCRIBER_BUFFER for the bench: bursts queue many frames per socket */
  subscriberBufferBytes: number;
}

const USAGE = `npm run bench [-- --quick] [-- --profile <dir>]
  --quick          about half a minute: fewer calls and events, a shorter paced run
  --profile <dir>  also write a CPU profile of the hubgraph server process to <dir>
                   (profiling slows the server: compare such a run only with another profiled run)`;

export function parseOptions(argv: string[]): Options {
  const { values } = parseArgs({ args: argv, options: { quick: { type: 'boolean' }, profile: { type: 'string' }, help: { type: 'boolean' } }, strict: true });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const quick = values.quick === true;
  return {
    quick,
    profileDir: values.profile,
    verbs: quick
      ? { warmUp: 300, sequential: 300, concurrent: 600, inFlight: 50, maxMs: 15_000 }
      : { warmUp: 300, sequential: 1000, concurrent: 2000, inFlight: 50, maxMs: 30_000 },
    queue: quick
      ? { warmUp: 100, sequential: 300, concurrent: 600, inFlight: 50, maxMs: 15_000 }
      : { warmUp: 200, sequential: 1000, concurrent: 2000, inFlight: 50, maxMs: 30_000 },
    fanout: quick
      ? { subscribers: [1, 100, 1000], burstEvents: { 1: 5000, 100: 300, 1000: 60 }, bursts: 3, pacedMs: 1000 }
      : { subscribers: [1, 100, 1000], burstEvents: { 1: 20_000, 100: 1000, 1000: 200 }, bursts: 5, pacedMs: 3000 },
    subscriberBufferBytes: 64 * 1024 * 1024,
  };
}
