// Table rows of the scale-out section (sections/scale.ts), with the bound of issue 7.
import { fmt, type Row } from './support/table.js';
import type { ScaleResults } from './sections/scale.js';

/** issue 7: each connection of a dead worker reopened by a survivor within 10 s */
const RECOVERY_BOUND_MS = 10_000;

const info = (what: string, value: number | null, figure: string, unit: string): Row => ({ section: 'scale-out', what, value, figure, unit });
const s = (ms: number | null) => (ms === null ? 'never' : `${(ms / 1000).toFixed(1)} s`);

export function scaleRows(r: ScaleResults): Row[] {
  const t = r.throughput;
  return [
    info('echo, 50 in flight: one worker', t.oneWorker.rate, fmt.rate(t.oneWorker.rate), '/s'),
    info('echo, 50 in flight: two workers (ratio to one)', t.twoWorkers.rate, `${fmt.rate(t.twoWorkers.rate)} (${t.ratio.toFixed(2)}×)`, '/s'),
    info(`${fmt.int(r.sessions)} IRC sessions, one worker: hosted; RSS`, r.held.oneWorker.rssMiB, `${r.held.oneWorker.perWorker.join(' ')}; ${r.held.oneWorker.rssMiB.toFixed(0)} MiB`, 'MiB'),
    info(`${fmt.int(r.sessions)} IRC sessions, two workers: hosted per worker; total RSS`, r.held.twoWorkers.rssMiB, `${r.held.twoWorkers.perWorker.join(' + ')}; ${r.held.twoWorkers.rssMiB.toFixed(0)} MiB`, 'MiB'),
    info('after SIGKILL of the worker holding all: half, 90 % reopened', r.recovery.to90Ms, `${s(r.recovery.toHalfMs)}, ${s(r.recovery.to90Ms)}`, 's'),
    {
      section: 'scale-out',
      what: `after SIGKILL: all ${fmt.int(r.sessions)} reopened by the survivor (ircd users at the end)`,
      value: r.recovery.toAllMs,
      figure: `${s(r.recovery.toAllMs)} (${fmt.int(r.recovery.hostedAtEnd)} hosted; ${r.recovery.ircdUsersAtEnd ?? '?'} on the ircd)`,
      unit: 's',
      target: '≤ 10 s',
      pass: r.recovery.toAllMs !== null && r.recovery.toAllMs <= RECOVERY_BOUND_MS,
    },
  ];
}
