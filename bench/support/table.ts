// The result table: per row what was measured, the figure, the target and whether it was met.

export interface Row {
  section: string;
  what: string;
  /** the figure as printed */
  figure: string;
  /** the figure as a number, for the JSON (null when there is none) */
  value: number | null;
  unit: string;
  target?: string;
  /** undefined: information only, no target */
  pass?: boolean;
}

export function verdict(row: Row): string {
  return row.pass === undefined ? 'info' : row.pass ? 'PASS' : 'FAIL';
}

export function printTable(rows: Row[], out: (line: string) => void): void {
  const header = ['section', 'measured', 'figure', 'target', 'result'];
  const cells = rows.map((r) => [r.section, r.what, r.figure, r.target ?? '', verdict(r)]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
  const line = (c: string[]) => c.map((v, i) => (i === 2 ? v.padStart(widths[i] as number) : v.padEnd(widths[i] as number))).join('  ').trimEnd();
  out(line(header));
  out(widths.map((w) => '-'.repeat(w)).join('  '));
  let section = '';
  for (const c of cells) {
    if (c[0] !== section && section !== '') out('');
    section = c[0] as string;
    out(line(c));
  }
}

export const fmt = {
  ms: (v: number) => `${v < 10 ? v.toFixed(2) : v.toFixed(1)} ms`,
  rate: (v: number) => `${Math.round(v).toLocaleString('en-US')}/s`,
  ratio: (v: number) => `${v.toFixed(2)}×`,
  int: (v: number) => Math.round(v).toLocaleString('en-US'),
};
