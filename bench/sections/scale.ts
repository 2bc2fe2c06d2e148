// Section 7: scale-out (issue 7). Processes of one deployment on the bench's Redis: one `--role api`
// and one or two `--role worker`, a local ngircd.
//   throughput: the dummy `fetch` echo over HTTP, 50 in flight, with one worker and then with two
//               (on a 2-core box the ratio, not the absolute figure, is what means something);
//   held:       N IRC sessions (openSession → setCredentials → connect → join) with one worker, and in
//               a second deployment with two: how they spread (hubgraph_hosted_sessions of each
//               worker) and the workers' total RSS;
//   recovery:   the one-worker deployment gets a second worker, then the first is SIGKILLed holding all
//               N; time until the survivor hosts all N again (its /metrics, every 100 ms), and the
//               outside view: users on the ircd (LUSERS) back to N.
import { startHubgraph, newDeployment, type HubgraphServer } from '../support/hubgraph.js';
import { startNgircd, type Ngircd } from '../support/ngircd.js';
import { HttpGql } from '../support/http-gql.js';
import { concurrent, warmUp, type LoadResult } from '../support/load.js';
import { ECHO_INPUT, ECHO_MUTATION } from '../support/operations.js';
import { vmRssBytes } from '../support/rss.js';
import { sleep } from '../support/pause.js';
import { dropPrefix } from '../support/redis.js';
import { RawIrc } from '../support/raw-irc.js';
import { CONNECTS_AT_ONCE, Gate, ircSession } from './irc.js';
import { ramp } from '../support/ramp.js';

export interface ScaleSizes {
  /** IRC sessions held and recovered */
  sessions: number;
  echoCalls: number;
  echoInFlight: number;
  maxMs: number;
}

export interface ScaleResults {
  sessions: number;
  throughput: { oneWorker: LoadResult; twoWorkers: LoadResult; ratio: number };
  held: {
    oneWorker: { perWorker: number[]; rssMiB: number; connectMs: number };
    twoWorkers: { perWorker: number[]; rssMiB: number; connectMs: number };
  };
  recovery: { toHalfMs: number | null; to90Ms: number | null; toAllMs: number | null; hostedAtEnd: number; ircdUsersAtEnd: number | null };
}

export interface ScaleContext {
  redisUrl: string;
  sizes: ScaleSizes;
  progress(line: string): void;
}

const ENV = { HUBGRAPH_ALLOW_PRIVATE_ADDRESSES: '1', HUBGRAPH_JOB_TIMEOUT: '120000' };
const RECOVERY_LIMIT_MS = 180_000;

async function hosted(worker: HubgraphServer): Promise<number> {
  try {
    const text = await (await fetch(`${worker.url}/metrics`)).text();
    const m = /^hubgraph_hosted_sessions\{platform="irc"\} (\d+)/m.exec(text);
    return m ? Number(m[1]) : 0;
  } catch {
    return 0;
  }
}

const rssMiB = (workers: HubgraphServer[]) => workers.reduce((sum, w) => sum + (vmRssBytes(w.child.proc.pid!) ?? 0), 0) / 2 ** 20;

async function echoRun(api: HubgraphServer, sizes: ScaleSizes): Promise<LoadResult> {
  const anon = new HttpGql(api.url);
  const { openSession } = await anon.run<{ openSession: { token: string } }>('mutation { openSession { token } }');
  anon.close();
  const http = new HttpGql(api.url, openSession.token, sizes.echoInFlight + 4);
  try {
    const call = () => http.run(ECHO_MUTATION, ECHO_INPUT);
    await warmUp(300, call);
    return await concurrent(sizes.echoCalls, sizes.echoInFlight, sizes.maxMs, call);
  } finally {
    http.close();
  }
}

async function holdSessions(api: HubgraphServer, ircd: Ngircd, n: number, tag: string): Promise<number> {
  const http = new HttpGql(api.url, undefined, CONNECTS_AT_ONCE + 4);
  const gate = new Gate(CONNECTS_AT_ONCE);
  try {
    const run = await ramp(n, CONNECTS_AT_ONCE, async (i) => void (await ircSession(http, ircd.port, `${tag}${i}`, `#${tag}${Math.floor(i / 10)}`, gate)));
    if (run.failed) throw new Error(`${run.failed} of ${n} IRC sessions failed: ${run.firstError}`);
    return run.ms;
  } finally {
    http.close();
  }
}

async function ircdUsers(ircd: Ngircd): Promise<number | null> {
  try {
    const c = await RawIrc.connect(ircd.host, ircd.port, 'lusers');
    try {
      c.send('LUSERS');
      const line = await c.waitFor((l) => / 251 /.test(l), 5000);
      const m = /There are (\d+) users/.exec(line);
      return m ? Number(m[1]) - 1 : null; // not counting this client
    } finally {
      c.close();
    }
  } catch {
    return null;
  }
}

export async function runScale(ctx: ScaleContext): Promise<ScaleResults> {
  const n = ctx.sizes.sessions;
  const started: HubgraphServer[] = [];
  const deployments: string[] = [];
  const ircd = await startNgircd();
  const start = async (role: 'api' | 'worker', deployment: { prefix: string; secret: string }) => {
    const hub = await startHubgraph({ redisUrl: ctx.redisUrl, platforms: 'irc,dummy', env: ENV, role, deployment });
    started.push(hub);
    return hub;
  };
  try {
    // one worker: throughput, then N sessions held
    const d1 = newDeployment();
    deployments.push(d1.prefix);
    const api = await start('api', d1);
    const a = await start('worker', d1);
    ctx.progress('scale: echo throughput with one worker');
    const oneWorker = await echoRun(api, ctx.sizes);
    ctx.progress(`scale: ${n} IRC sessions on one worker`);
    const oneMs = await holdSessions(api, ircd, n, 'o');
    const oneHeld = { perWorker: [await hosted(a)], rssMiB: rssMiB([a]), connectMs: oneMs };

    // a second worker joins; throughput with two
    const b = await start('worker', d1);
    ctx.progress('scale: echo throughput with two workers');
    const twoWorkers = await echoRun(api, ctx.sizes);

    // the first worker dies holding all N: how long until the second hosts them all
    ctx.progress(`scale: SIGKILL the worker holding ${n} IRC connections; waiting for the other to reopen them`);
    const t0 = performance.now();
    a.child.proc.kill('SIGKILL');
    let toHalfMs: number | null = null;
    let to90Ms: number | null = null;
    let toAllMs: number | null = null;
    let now = 0;
    while (performance.now() - t0 < RECOVERY_LIMIT_MS) {
      now = await hosted(b);
      const t = performance.now() - t0;
      if (toHalfMs === null && now >= n / 2) toHalfMs = t;
      if (to90Ms === null && now >= n * 0.9) to90Ms = t;
      if (now >= n) {
        toAllMs = t;
        break;
      }
      await sleep(100);
    }
    const ircdUsersAtEnd = await ircdUsers(ircd);
    ctx.progress(`scale: recovered ${now} of ${n}${toAllMs === null ? '' : ` in ${(toAllMs / 1000).toFixed(1)} s`}`);
    for (const h of started.splice(0)) await h.child.stop();

    // a second deployment with two workers from the start: how N sessions spread
    const d2 = newDeployment();
    deployments.push(d2.prefix);
    const api2 = await start('api', d2);
    const w1 = await start('worker', d2);
    const w2 = await start('worker', d2);
    ctx.progress(`scale: ${n} IRC sessions on two workers`);
    const twoMs = await holdSessions(api2, ircd, n, 't');
    const twoHeld = { perWorker: [await hosted(w1), await hosted(w2)], rssMiB: rssMiB([w1, w2]), connectMs: twoMs };

    return {
      sessions: n,
      throughput: { oneWorker, twoWorkers, ratio: twoWorkers.rate / oneWorker.rate },
      held: { oneWorker: oneHeld, twoWorkers: twoHeld },
      recovery: { toHalfMs, to90Ms, toAllMs, hostedAtEnd: now, ircdUsersAtEnd },
    };
  } finally {
    for (const h of started) await h.child.stop().catch(() => {});
    await ircd.stop();
    for (const p of deployments) await dropPrefix(ctx.redisUrl, p).catch(() => {});
  }
}
