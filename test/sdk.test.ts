// hubgraph/sdk as a client project sees it: typed documents that tsc checks against Apollo Client
// and urql, that reject misuse at compile time, and that a live server accepts and answers.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { buildClientSchema, getIntrospectionQuery, Kind, validate, type DocumentNode, type IntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as sdk from 'hubgraph/sdk';
import { dropPrefix, startHubgraph, stopAll, type Hubgraph } from './support/hubgraph.js';
import { ok } from './support/client.js';
import { tour } from './fixtures/sdk-consumer/program.js';

const CONSUMER = fileURLToPath(new URL('./fixtures/sdk-consumer/', import.meta.url));
const TSC = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url));

/** Runs the project's tsc --noEmit on a tsconfig of the consumer fixture. */
async function typecheck(tsconfig: string): Promise<{ code: number; output: string }> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [TSC, '--noEmit', '-p', tsconfig], { cwd: CONSUMER });
    return { code: 0, output: stdout };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? 1, output: `${e.stdout ?? ''}${e.stderr ?? ''}` };
  }
}

const documents = Object.entries(sdk).filter((e): e is [string, DocumentNode] => e[0].endsWith('Document'));

let hub: Hubgraph;
beforeAll(async () => { hub = await startHubgraph(); });
afterAll(async () => { await stopAll(); await dropPrefix(hub.prefix); });

describe('hubgraph/sdk', () => {
  it('type-checks a program that drives the typed documents with Apollo Client and urql', async () => {
    const { code, output } = await typecheck('tsconfig.json');
    expect(output).toBe('');
    expect(code).toBe(0);
  });

  it('fails to type-check misuse of the documents: an error on every marked mistake and nowhere else', async () => {
    const { code, output } = await typecheck('tsconfig.broken.json');
    expect(code).not.toBe(0);
    const marked = readFileSync(`${CONSUMER}broken.ts`, 'utf8').split('\n').flatMap((line, i) => (line.includes('// mistake:') ? [i + 1] : []));
    const reported = [...output.matchAll(/^broken\.ts\((\d+),\d+\): error TS\d+/gm)].map((m) => Number(m[1]));
    expect(marked.length).toBeGreaterThan(0);
    expect(reported).toEqual(marked);
  });

  it('has a document for every query, mutation and subscription field, each valid against the live schema', async () => {
    const schema = buildClientSchema(await ok<IntrospectionQuery>(hub.url, getIntrospectionQuery()));
    const rootFields = [schema.getQueryType(), schema.getMutationType(), schema.getSubscriptionType()]
      .flatMap((type) => Object.keys(type?.getFields() ?? {}).map((field) => `${type!.name}.${field}`));
    const covered = new Set<string>();
    for (const [name, document] of documents) {
      expect(validate(schema, document), name).toEqual([]);
      for (const def of document.definitions) {
        if (def.kind !== Kind.OPERATION_DEFINITION) continue;
        const root = { query: 'Query', mutation: 'Mutation', subscription: 'Subscription' }[def.operation];
        for (const sel of def.selectionSet.selections) if (sel.kind === Kind.FIELD) covered.add(`${root}.${sel.name.value}`);
      }
    }
    expect([...covered].sort()).toEqual(rootFields.sort());
  });

  it("runs the program's queries and mutations against a live server over HTTP", async () => {
    const result = await tour(hub.url);
    expect(result.platforms.map((p) => p.id)).toContain('dummy');
    expect(result.actors).toEqual(['a@dummy']);
    for (const verb of ['connect', 'join', 'send', 'update', 'query', 'fetch', 'leave', 'disconnect']) {
      expect(result.activities[verb], verb).toMatchObject({ type: verb, platform: 'dummy', actor: { id: 'a@dummy' } });
    }
    expect(result.activities.send).toMatchObject({ object: { type: 'message', content: 'hello' }, target: { id: '#sdk@dummy' } });
    expect(result.activities.query?.object).toMatchObject({ type: 'state', json: { rooms: ['#sdk@dummy'] } });
    expect(result.activities.fetch?.object?.type).toBe('echo');
    // the dummy platform has no contacts, so it refuses the friend verbs: an execution error, not a validation one
    expect(result.refused).toEqual({ requestFriend: 'BAD_USER_INPUT', removeFriend: 'BAD_USER_INPUT', makeFriend: 'BAD_USER_INPUT' });
    expect(result.closed).toBe(true);
  });
});
