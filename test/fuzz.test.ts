// Property-based fuzzing (fast-check) of every mutation's input against a running hubgraph:
// thousands of random and malformed inputs, each answered within a bound with data or with errors
// that carry a known code (never INTERNAL_SERVER_ERROR, never a hang), the server healthy
// afterwards and its memory flat.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Agent, request } from 'undici';
import { dropPrefix, startHubgraph, type Hubgraph } from './support/hubgraph.js';
import { gql, ok, openSession } from './support/client.js';
import { VERBS } from '../src/platform/types.js';

const KNOWN_CODES = ['BAD_USER_INPUT', 'UNAUTHENTICATED', 'PLATFORM_ERROR', 'TIMEOUT', 'FORBIDDEN_ADDRESS', 'RATE_LIMITED', 'UNAVAILABLE', 'GRAPHQL_VALIDATION_FAILED', 'GRAPHQL_PARSE_FAILED', 'BAD_REQUEST'];
const ANSWER_WITHIN_MS = 5000;
const RUNS_PER_VERB = 300;
const HEAP_CAP_MIB = 160;

let hub: Hubgraph;
let token: string;
const agent = new Agent({ connections: 8 });

beforeAll(async () => {
  // a small heap: a leak would end the process (and the test) long before the run is over
  hub = await startHubgraph({ env: { HUBGRAPH_RATE_LIMIT: '0', HUBGRAPH_SESSION_RATE: '0', HUBGRAPH_JOB_TIMEOUT: '3000', NODE_OPTIONS: `--max-old-space-size=${HEAP_CAP_MIB}` } });
  token = await openSession(hub.url);
  await ok(hub.url, 'mutation($a: String!, $c: JSON!) { setCredentials(platform: "dummy", actor: $a, credentials: $c) }', { a: 'fuzz@dummy', c: { name: 'fuzz' } }, token);
  await ok(hub.url, 'mutation($input: ActivityInput!) { connect(input: $input) { id } }', { input: { platform: 'dummy', actor: { id: 'fuzz@dummy', type: 'person' } } }, token);
});

afterAll(async () => {
  await hub?.stop();
  if (hub) await dropPrefix(hub.prefix);
  await agent.close();
});

/** Posts raw JSON (or raw text) and checks the answer: in time, and data or coded errors. */
async function probe(body: string, auth = true): Promise<void> {
  const t0 = Date.now();
  const res = await request(hub.url, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...(auth ? { authorization: `Bearer ${token}` } : {}) },
    dispatcher: agent,
    headersTimeout: ANSWER_WITHIN_MS,
    bodyTimeout: ANSWER_WITHIN_MS,
  });
  const text = await res.body.text();
  expect(Date.now() - t0, body.slice(0, 300)).toBeLessThan(ANSWER_WITHIN_MS);
  expect(res.statusCode, text.slice(0, 300)).toBeLessThan(500);
  let parsed: { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Error(`not JSON (${res.statusCode}): ${text.slice(0, 200)} for ${body.slice(0, 300)}`);
  }
  for (const e of parsed.errors ?? []) {
    expect(KNOWN_CODES, `${e.message} for ${body.slice(0, 300)}`).toContain(e.extensions?.code);
  }
}

/** V8 heap in use in the main thread, from the process's own metrics */
async function heapUsedMiB(): Promise<number> {
  const text = await (await fetch(hub.url.replace('/graphql', '/metrics'))).text();
  return Number(/^hubgraph_process_nodejs_heap_size_used_bytes (\S+)/m.exec(text)?.[1] ?? NaN) / 2 ** 20;
}

// Values that stress validation: wrong types, huge and odd strings, deep and wide objects.
const weirdString = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 50 }),
  fc.string({ unit: 'binary', maxLength: 50 }),
  fc.constantFrom('', ' ', '\u0000', '\uD800', '#chan@127.0.0.1', 'fuzz@dummy', 'dummy', 'irc', '../../etc/passwd', 'http://127.0.0.1:1/', 'x'.repeat(70_000)),
);
const anyValue = fc.oneof({ maxDepth: 4 }, fc.anything({ maxDepth: 4 }), weirdString, fc.double(), fc.bigInt().map(String));
const object = fc.record(
  { id: anyValue, type: fc.oneof(weirdString, anyValue), content: anyValue, name: anyValue, url: anyValue, extra: anyValue, mediaType: anyValue },
  { requiredKeys: [] },
);
const activityInput = fc.record(
  {
    id: anyValue,
    platform: fc.oneof(fc.constantFrom('dummy', 'irc', 'feeds', 'nope'), anyValue),
    actor: fc.oneof(fc.constant({ id: 'fuzz@dummy', type: 'person' }), object, anyValue),
    target: fc.oneof(object, anyValue),
    object: fc.oneof(object, anyValue),
    context: anyValue,
  },
  { requiredKeys: [] },
);

describe('fuzzing every mutation', () => {
  it(`answers ${RUNS_PER_VERB} random inputs to each verb in time, with data or coded errors; healthy afterwards, memory flat`, async () => {
    // warm-up, then memory is measured over the bulk of the run
    const warm = async (n: number) => {
      for (const verb of VERBS) {
        await fc.assert(
          fc.asyncProperty(activityInput, async (input) => {
            await probe(JSON.stringify({ query: `mutation($input: ActivityInput!) { ${verb}(input: $input) { id type object { type content } } }`, variables: { input } }));
          }),
          { numRuns: n },
        );
      }
    };
    await warm(20);
    await warm(RUNS_PER_VERB);

    // the non-verb mutations, with arbitrary variables (and no token at all, sometimes)
    await fc.assert(
      fc.asyncProperty(weirdString, anyValue, anyValue, fc.boolean(), async (platform, actor, credentials, auth) => {
        const vars = { p: platform, a: actor, c: credentials };
        await probe(JSON.stringify({ query: 'mutation($p: String!, $a: String!, $c: JSON!) { setCredentials(platform: $p, actor: $a, credentials: $c) }', variables: vars }), auth);
      }),
      { numRuns: RUNS_PER_VERB },
    );
    // whole bodies that are not GraphQL requests at all
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.json(), fc.string(), fc.constantFrom('{"query":', '{"query": 5}', '{"query":"mutation { send }"}', '[]', 'null')), async (body) => {
        await probe(body);
      }),
      { numRuns: RUNS_PER_VERB },
    );

    // healthy: answers, health is ok, the session still works; memory has not run away
    expect((await fetch(hub.url.replace('/graphql', '/healthz'))).status).toBe(200);
    // the fuzz may have disconnected the session on purpose (a well-formed random `disconnect`), and
    // then set other credentials: set ours again (refused, harmlessly, while it is connected with
    // others) and connect, which is a no-op when it still is
    await gql(hub.url, 'mutation($a: String!, $c: JSON!) { setCredentials(platform: "dummy", actor: $a, credentials: $c) }', { a: 'fuzz@dummy', c: { name: 'fuzz' } }, token);
    await ok(hub.url, 'mutation($input: ActivityInput!) { connect(input: $input) { id } }', { input: { platform: 'dummy', actor: { id: 'fuzz@dummy', type: 'person' } } }, token);
    const echo = await gql(hub.url, 'mutation($input: ActivityInput!) { send(input: $input) { object { content } } }', { input: { platform: 'dummy', actor: { id: 'fuzz@dummy', type: 'person' }, object: { type: 'message', content: 'still here' } } }, token);
    expect(echo.errors).toBeUndefined();
    // still alive under its heap cap, and well below it
    expect(hub.proc.exitCode).toBeNull();
    expect(await heapUsedMiB()).toBeLessThan(HEAP_CAP_MIB * 0.75);
  }, 240_000);
});
