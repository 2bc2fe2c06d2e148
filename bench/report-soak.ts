// Table rows of the soak section (sections/soak.ts), with the bound of issue 6.
import { fmt, type Row } from './support/table.js';
import type { SoakResults, Storm } from './sections/soak.js';

const info = (what: string, value: number | null, figure: string, unit: string): Row => ({ section: 'soak', what, value, figure, unit });

export function soakRows(r: SoakResults): Row[] {
  const first = r.samples[0];
  const last = r.samples[r.samples.length - 1];
  const lagP99 = Math.max(...r.samples.map((s) => s.lag.p99));
  return [
    info(`${r.sessions} IRC sessions, ${r.minutes} min: messages sent (errors)`, r.sent, `${fmt.int(r.sent)} (${r.sendErrors} failed)`, 'msgs'),
    {
      section: 'soak',
      what: 'deliveries to subscribers, of those expected (10 per message: exactly, none lost or repeated)',
      value: r.delivered,
      figure: `${fmt.int(r.delivered)} of ${fmt.int(r.expectedDeliveries)}${r.subscriberErrors.length ? `; subscriber errors: ${r.subscriberErrors.length}` : ''}`,
      unit: 'events',
      target: 'equal, no errors',
      pass: r.delivered === r.expectedDeliveries && r.subscriberErrors.length === 0,
    },
    {
      section: 'soak',
      what: 'live heap after full GC, all isolates: first → last sample; growth after the first third',
      value: r.heapGrowthMiB,
      figure: `${first?.liveHeapMiB.toFixed(1)} → ${last?.liveHeapMiB.toFixed(1)} MiB; +${r.heapGrowthMiB.toFixed(1)} MiB`,
      unit: 'MiB',
      target: 'bounded',
      pass: r.heapBounded,
    },
    info('RSS: first → last sample', last?.rssMiB ?? null, `${first?.rssMiB.toFixed(0)} → ${last?.rssMiB.toFixed(0)} MiB`, 'MiB'),
    info('latency of { __typename } during the run: worst sample p99; last p50', lagP99, `${fmt.ms(lagP99)}; ${last ? fmt.ms(last.lag.p50) : '?'}`, 'ms'),
    stormRow('IRC server restart', r.storm, r.sessions),
    'error' in r.xmppStorm
      ? info('XMPP server restart', null, `failed: ${r.xmppStorm.error.slice(0, 80)}`, '')
      : stormRow('XMPP server (Prosody) restart', r.xmppStorm, r.sessions),
  ];
}

function stormRow(what: string, s: Storm, n: number): Row {
  return info(`${what}: sessions back, time until all, spread, busiest second`, s.reconnectedMs,
    `${s.back} of ${n}, ${s.reconnectedMs === null ? 'not all' : `${(s.reconnectedMs / 1000).toFixed(1)} s`}, spread ${s.spreadMs === null ? '?' : `${(s.spreadMs / 1000).toFixed(1)} s`}, peak ${s.peakPerSecond}/s`, 's');
}
