// isoDate() gives back dates already in toISOString()'s form without parsing them: it must agree
// with the parse on every string of that shape, days and hours out of range included.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoDate } from './objects.js';

function parsed(raw: string): string | undefined {
  const s = raw.trim();
  if (!s) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

const pad = (n: number, width: number) => String(n).padStart(width, '0');
const isoShaped = fc
  .tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 0, max: 13 }), fc.integer({ min: 0, max: 32 }), fc.integer({ min: 0, max: 25 }), fc.integer({ min: 0, max: 61 }), fc.integer({ min: 0, max: 61 }), fc.integer({ min: 0, max: 999 }))
  .map(([y, mo, d, h, mi, s, ms]) => `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}T${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}.${pad(ms, 3)}Z`);

describe('feed dates', () => {
  it('isoDate() gives what Date.parse and toISOString give, for ISO-shaped and other dates', () => {
    fc.assert(
      fc.property(fc.oneof(isoShaped, isoShaped.map((s) => ` ${s}\n`), fc.date({ noInvalidDate: true }).map((d) => d.toISOString()), fc.string({ maxLength: 30 })), (s) => {
        expect(isoDate(s)).toBe(parsed(s));
      }),
      { numRuns: 20_000 },
    );
    for (const s of ['2024-02-29T12:00:00.000Z', '2023-02-29T00:00:00.000Z', '2024-04-31T00:00:00.000Z', '2024-01-01T24:00:00.000Z', 'Thu, 14 Mar 2024 10:57:15 +0000']) expect(isoDate(s)).toBe(parsed(s));
  });
});
