// Table rows and notes of the IRC section (sections/irc.ts), with the goals of issue 4.
import { fmt, type Row } from './support/table.js';
import type { HubgraphSessions, IrcResults, RssFigures, SessionsRun } from './sections/irc.js';
import type { Summary } from './support/stats.js';

/** issue 4: 10,000 sessions under 1 GB RSS in total, within 2.5× of the floor per session */
const GOAL_SESSIONS = 10_000;
const GOAL_TOTAL_BYTES = 1e9;
const GOAL_FLOOR_RATIO = 2.5;
/** issue 4: `send` → outside client p50 within 1 ms of the floor */
const SEND_P50_OVER_FLOOR_MS = 1;

const info = (section: string, what: string, value: number | null, figure: string, unit: string): Row => ({ section, what, value, figure, unit });
const mib = (b: number) => `${(b / 2 ** 20).toFixed(0)} MiB`;
const kib = (b: number) => `${(b / 1024).toFixed(1)} KiB`;
const pp = (s: Summary) => `${fmt.ms(s.p50)} / ${fmt.ms(s.p99)}`;

function rssRows(section: string, name: string, r: RssFigures, n: number): Row[] {
  const rate = r.connected / (r.connectMs / 1000);
  return [
    {
      section,
      what: `${name}: connected and joined`,
      value: r.connected,
      figure: `${fmt.int(r.connected)} of ${fmt.int(n)}${r.failed ? ` (${r.failed} failed)` : ''}${r.connectRetries ? `, ${r.connectRetries} connects retried` : ''}`,
      unit: 'sessions',
      target: 'all',
      pass: r.connected === n,
    },
    info(section, `${name}: connect time (ramped), rate`, r.connectMs, `${(r.connectMs / 1000).toFixed(1)} s, ${fmt.rate(rate)}`, 's'),
    info(section, `${name}: RSS before → after${r.processes > 1 ? ` (${r.processes} processes)` : ''}`, r.rssAfter, `${mib(r.rssBefore)} → ${mib(r.rssAfter)}`, 'MiB'),
    info(section, `${name}: RSS per session (increment / N)`, r.perSession, kib(r.perSession), 'KiB'),
    ...(r.afterGcRss !== undefined && r.liveHeapPerSession !== undefined
      ? [info(section, `${name}, after a full GC (diagnostic): RSS; live V8 heap per session, all isolates`, r.afterGcRss, `${mib(r.afterGcRss)}; ${kib(r.liveHeapPerSession)}`, 'MiB')]
      : []),
  ];
}

function sessionRows(run: SessionsRun): Row[] {
  const n = run.n;
  const section = `IRC: ${fmt.int(n)} sessions`;
  const rows: Row[] = [];
  const h = 'error' in run.hubgraph ? undefined : (run.hubgraph as HubgraphSessions);
  const f = 'error' in run.floor ? undefined : (run.floor as RssFigures);
  if (h) {
    rows.push(...rssRows(section, 'hubgraph', h, n));
    rows.push(info(section, 'hubgraph: one session (4 calls) p50 / p99', h.connectLatency.p50, pp(h.connectLatency), 'ms'));
    rows.push(info(section, 'hubgraph: lag (`{ __typename }` over HTTP) during ramp p50 / p99', h.lagDuring.p99, pp(h.lagDuring), 'ms'));
    rows.push(info(section, `hubgraph: lag after ramp (${h.lagAfter.count} probes) p50 / p99`, h.lagAfter.p99, pp(h.lagAfter), 'ms'));
    const a = h.mainHeapAfter;
    const b = h.mainHeapBefore;
    if (a && b) {
      const grew = a.heapTotal + a.external - (b.heapTotal + b.external);
      rows.push(
        info(
          section,
          'hubgraph: API thread V8 heap used / total (+ external), before → after',
          grew,
          `${mib(b.heapUsed)}/${mib(b.heapTotal)} → ${mib(a.heapUsed)}/${mib(a.heapTotal)} (+${mib(a.external)})`,
          'MiB',
        ),
      );
      const rest = h.rssAfter - h.rssBefore - grew;
      rows.push(info(section, 'hubgraph: RSS increment outside the API thread heap, per session', rest / h.connected, kib(rest / h.connected), 'KiB'));
    }
    const g0 = h.gcBefore;
    const g1 = h.afterGc;
    if (g0 && g1 && !('error' in g0) && !('error' in g1)) {
      const used = (g: { isolates: { name: string; heapUsed: number }[] }, main: boolean) => g.isolates.filter((i) => (i.name === 'main') === main).reduce((a, i) => a + i.heapUsed, 0);
      const mainGrew = used(g1, true) - used(g0, true);
      const workersGrew = used(g1, false) - used(g0, false);
      const threads = g1.isolates.length - 1;
      rows.push(
        info(
          section,
          `hubgraph after a full GC (inspector, diagnostic): RSS; live heap per session, API thread / ${threads} worker threads`,
          g1.rss,
          `${mib(g1.rss)}; ${kib(mainGrew / h.connected)} / ${kib(workersGrew / h.connected)}`,
          'KiB',
        ),
      );
    } else if (g1 && 'error' in g1) rows.push(info(section, 'hubgraph after a full GC (diagnostic)', null, `failed: ${g1.error}`, ''));
    if (h.redisRssBefore !== undefined && h.redisRssAfter !== undefined) {
      rows.push(info(section, 'Redis (not hubgraph): RSS before → after', h.redisRssAfter, `${mib(h.redisRssBefore)} → ${mib(h.redisRssAfter)}`, 'MiB'));
    }
  } else {
    rows.push({ section, what: 'hubgraph', value: null, figure: 'failed', unit: '', target: 'all connected', pass: false });
  }
  if (f) rows.push(...rssRows(section, 'floor (irc-framework clients)', f, n));
  else rows.push(info(section, 'floor', null, 'failed', ''));
  const ratio = h && f ? h.perSession / f.perSession : null;
  const ratioRow = info(section, 'per session: hubgraph / floor', ratio, ratio === null ? '—' : fmt.ratio(ratio), 'ratio');
  if (n === GOAL_SESSIONS) {
    Object.assign(ratioRow, { target: `≤ ${GOAL_FLOOR_RATIO}×`, pass: ratio !== null && h!.connected === n && ratio <= GOAL_FLOOR_RATIO });
    rows.push({
      section,
      what: 'hubgraph: total RSS with all sessions',
      value: h ? h.rssAfter : null,
      figure: h ? `${(h.rssAfter / 1e9).toFixed(2)} GB` : '—',
      unit: 'bytes',
      target: '< 1 GB',
      pass: h !== undefined && h.connected === n && h.rssAfter < GOAL_TOTAL_BYTES,
    });
  }
  rows.push(ratioRow);
  return rows;
}

function latencyRows(r: IrcResults): Row[] {
  const section = 'IRC: latency, one session';
  if ('error' in r.latency) return [{ section, what: 'latency run', value: null, figure: 'failed', unit: '', target: 'ran', pass: false }];
  const l = r.latency;
  const over = l.sendToOutside.p50 - l.floorAtoB.p50;
  return [
    {
      section,
      what: `send → outside client p50 / p99 (${l.sendToOutside.count} sequential, ${r.gapMs} ms apart)`,
      value: l.sendToOutside.p50,
      figure: pp(l.sendToOutside),
      unit: 'ms',
      target: `p50 ≤ floor + ${SEND_P50_OVER_FLOOR_MS} ms`,
      pass: over <= SEND_P50_OVER_FLOOR_MS,
    },
    info(section, 'send mutation reply (HTTP) p50 / p99', l.sendMutation.p50, pp(l.sendMutation), 'ms'),
    ...(l.sendToOutsideWs && l.sendMutationWs
      ? [
          info(section, `send over graphql-ws → outside client p50 / p99 (${l.sendToOutsideWs.count})`, l.sendToOutsideWs.p50, pp(l.sendToOutsideWs), 'ms'),
          info(section, 'send over graphql-ws → outside p50 − floor p50', l.sendToOutsideWs.p50 - l.floorAtoB.p50, fmt.ms(l.sendToOutsideWs.p50 - l.floorAtoB.p50), 'ms'),
          info(section, 'send mutation reply (graphql-ws) p50 / p99', l.sendMutationWs.p50, pp(l.sendMutationWs), 'ms'),
        ]
      : []),
    info(section, 'floor: irc-framework A.say → B receives p50 / p99', l.floorAtoB.p50, pp(l.floorAtoB), 'ms'),
    info(section, 'send → outside p50 − floor p50', over, fmt.ms(over), 'ms'),
    info(section, 'outside PRIVMSG → subscriber receives p50 / p99', l.outsideToSubscriber.p50, pp(l.outsideToSubscriber), 'ms'),
    info(section, 'floor: irc-framework B.say → A receives p50 / p99', l.floorBtoA.p50, pp(l.floorBtoA), 'ms'),
    info(section, 'outside → subscriber p50 − floor p50', l.outsideToSubscriber.p50 - l.floorBtoA.p50, fmt.ms(l.outsideToSubscriber.p50 - l.floorBtoA.p50), 'ms'),
  ];
}

export function ircRows(r: IrcResults): Row[] {
  return [...latencyRows(r), ...r.sessions.flatMap(sessionRows)];
}

export function ircNotes(r: IrcResults): string[] {
  const env = Object.entries(r.hubgraphEnv)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const ngircd = Object.entries(r.ngircd)
    .map(([k, v]) => `${k} = ${v}`)
    .join(', ');
  const lines = [
    `IRC section: a local ngircd (Debian), [Limits] ${ngircd}; a fresh ngircd and a fresh hubgraph per figure.`,
    `  hubgraph: ${env} (HUBGRAPH_SESSION_THREADS=2 is the default: the sessions share 2 threads).`,
    `  sessions: openSession → setCredentials {nick, server: 127.0.0.1, port, secure: false} → connect → join over HTTP,`,
    `  ${r.inFlight} sessions in flight (ngircd's listen backlog is 10), distinct nicks, ten per channel; 10 warm-up sessions first`,
    '  (loads irc-framework in the threads), then a full GC in every isolate (hubgraph runs with --inspect=127.0.0.1:0; the',
    '  bench attaches, GCs the main thread and each worker thread via the NodeWorker domain, detaches; the floor runs with',
    '  --expose-gc and calls gc()), then RSS before; RSS after is read 3 s after the last join, without a GC: what the',
    '  kernel reports, V8 garbage not yet collected included. The rows "after a full GC (diagnostic)" GC again after that',
    '  and give RSS then and the live V8 heap per session (heapUsed of all isolates, after − before): the rest of RSS is',
    '  heap slack V8 has not returned, and native memory (sockets, buffers, thread stacks).',
    '  RSS = VmRSS of /proc/<pid>/status of the hubgraph process and any descendants (its threads share the process);',
    '  the floor (bench/floor/irc-clients.mjs, plain node, no tsx) is read the same way, after its own 10 warm-up clients.',
    '  Lag is measured from outside: latency of `{ __typename }` over HTTP (one keep-alive socket) every 20 ms, during the',
    "  ramp and for 3 s after it. It is the API thread's event loop plus the bench client's own loop (busy driving",
    "  the ramp), not the session threads' loops (perf_hooks monitorEventLoopDelay is in-process only).",
    `  latency: one session in #lat with a graphql-ws subscriber, a raw-socket outside client in #lat; per iteration`,
    `  send (HTTP mutation) → the outside client's line, then the outside PRIVMSG → the subscriber's frame, then the`,
    `  floor (two irc-framework clients in the bench process, A → B and B → A). An iteration every ${r.gapMs} ms so flood`,
    '  control (platforms/irc/pacer.ts: burst 5, then a line per 500 ms) never queues a send: back to back, every send',
    '  after the fifth would wait up to 500 ms in the pacer. 5 warm-up iterations are dropped.',
  ];
  for (const s of r.sessions) {
    if ('error' in s.hubgraph) lines.push(`  ${fmt.int(s.n)} sessions: hubgraph failed: ${s.hubgraph.error.split('\n').slice(0, 6).join(' | ')}`);
    else if (s.hubgraph.aborted) lines.push(`  ${fmt.int(s.n)} sessions: hubgraph ${s.hubgraph.aborted}`);
    if ('error' in s.floor) lines.push(`  ${fmt.int(s.n)} sessions: floor failed: ${s.floor.error.split('\n').slice(0, 6).join(' | ')}`);
  }
  return lines;
}
