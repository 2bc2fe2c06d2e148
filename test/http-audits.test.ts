// GraphQL over HTTP conformance: graphql-http's server audits against the live /graphql. Every
// MUST is a requirement; the SHOULD and MAY recommendations it misses are only reported (stderr).
import { serverAudits, type AuditResult } from 'graphql-http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropPrefix, startHubgraph, stopAll, type Hubgraph } from './support/hubgraph.js';

let hub: Hubgraph;
beforeAll(async () => { hub = await startHubgraph(); });
afterAll(async () => { await stopAll(); await dropPrefix(hub.prefix); });

const audits = serverAudits({ url: () => hub.url });
const musts = audits.filter((a) => a.name.startsWith('MUST'));
const recommendations = audits.filter((a) => !a.name.startsWith('MUST'));

async function explain(result: AuditResult): Promise<string> {
  if (result.status === 'ok') return 'ok';
  const body = await result.response.text().catch(() => '');
  return `${result.status}: ${result.reason} (HTTP ${result.response.status}: ${body.slice(0, 300)})`;
}

describe('GraphQL over HTTP (graphql-http server audits)', () => {
  it('has MUST audits to run', () => {
    expect(musts.length).toBeGreaterThan(10);
  });

  for (const audit of musts) {
    it(`${audit.name} [${audit.id}]`, async () => {
      expect(await explain(await audit.fn())).toBe('ok');
    });
  }

  it('reports the SHOULD and MAY recommendations it does not follow', async () => {
    const missed: string[] = [];
    for (const audit of recommendations) {
      const result = await audit.fn();
      if (result.status !== 'ok') missed.push(`${audit.name} [${audit.id}] -> ${await explain(result)}`);
    }
    if (missed.length) console.warn(`${missed.length} of ${recommendations.length} recommendations not followed:\n${missed.join('\n')}`);
    expect(recommendations.length).toBeGreaterThan(0);
  });
});
