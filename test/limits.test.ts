// Query limits (HUBGRAPH_MAX_DEPTH, _ALIASES, _DIRECTIVES, _TOKENS, _COST): an operation over one
// is refused before it runs, with extensions.code GRAPHQL_VALIDATION_FAILED, over HTTP and over
// WebSocket, introspection included; the introspection queries real clients send pass.
import { getIntrospectionQuery } from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropPrefix, startHubgraph, stopAll, type Hubgraph } from './support/hubgraph.js';
import { gql, ok, openSession, verb, type GqlResult } from './support/client.js';
import { rawSocket, type RawSocket } from './support/raw-ws.js';

/**
 * The introspection query of graphql-js 17, which GraphiQL (as bundled by yoga) sends: like
 * graphql 16's, with a TypeRef fragment `typeDepth` levels of ofType deep (9 by default).
 */
function introspectionQuery(typeDepth = 9): string {
  let typeRef = '';
  for (let i = 0; i < typeDepth; i++) typeRef = `ofType { name kind ${typeRef} }`;
  return `query IntrospectionQuery {
    __schema {
      description
      queryType { name kind } mutationType { name kind } subscriptionType { name kind }
      types { ...FullType }
      directives { name description isRepeatable locations args(includeDeprecated: true) { ...InputValue } }
    }
  }
  fragment FullType on __Type {
    kind name description specifiedByURL isOneOf
    fields(includeDeprecated: true) { name description args(includeDeprecated: true) { ...InputValue } type { ...TypeRef } isDeprecated deprecationReason }
    inputFields(includeDeprecated: true) { ...InputValue }
    interfaces { ...TypeRef }
    enumValues(includeDeprecated: true) { name description isDeprecated deprecationReason }
    possibleTypes { ...TypeRef }
  }
  fragment InputValue on __InputValue { name description type { ...TypeRef } defaultValue isDeprecated deprecationReason }
  fragment TypeRef on __Type { kind name ${typeRef} }`;
}

const standard: Record<string, string> = {
  'graphql-js 16 getIntrospectionQuery() (codegen, urql, Apollo tooling)': getIntrospectionQuery(),
  'graphql-js 16 getIntrospectionQuery with every option': getIntrospectionQuery({
    descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true, oneOf: true,
  }),
  "GraphiQL's (graphql-js 17, typeDepth 9)": introspectionQuery(9),
};

/** Each over one limit only (the others at their defaults: depth 20, aliases 15, directives 50, tokens 2000, cost 50000). */
const floods: Record<string, { query: string; limit: string; message: RegExp }> = {
  'an over-deep introspection query': { query: introspectionQuery(20), limit: 'depth', message: /^Operation refused: its depth is 26, more than this server's limit of 20\.$/ },
  'an over-deep query written without fragments': {
    query: `{ __type(name: "Activity") { fields { type ${'{ ofType '.repeat(20)}{ name }${' }'.repeat(20)} } } }`,
    limit: 'depth',
    message: /depth is 24, more than this server's limit of 20/,
  },
  'an introspection query over the cost limit (deep and wide, under the depth limit)': { query: introspectionQuery(12), limit: 'cost', message: /^Operation refused: its cost is \d+, more than this server's limit of 50000\.$/ },
  'an alias flood': { query: `{ ${Array.from({ length: 40 }, (_, i) => `a${i}: platforms { id }`).join(' ')} }`, limit: 'aliases', message: /^Operation refused: it uses 40 aliases, more than this server's limit of 15\.$/ },
  'a directive flood': { query: `{ ${'__typename @include(if: true) '.repeat(60)}}`, limit: 'directives', message: /it uses 60 directives, more than this server's limit of 50/ },
  'a token flood': { query: `{ ${'__typename '.repeat(5000)}}`, limit: 'tokens', message: /^Operation refused: the document has more than 2000 tokens\.$/ },
};

let hub: Hubgraph;
let small: Hubgraph;
beforeAll(async () => {
  [hub, small] = await Promise.all([
    startHubgraph(),
    // env var and flag both reach the limits
    startHubgraph({ env: { HUBGRAPH_MAX_DEPTH: '2' }, args: ['--max-aliases', '1', '--max-tokens', '40', '--max-cost', '10', '--max-directives', '1'] }),
  ]);
});
afterAll(async () => { await stopAll(); for (const h of [hub, small]) if (h) await dropPrefix(h.prefix); });

async function post(url: string, query: string, token?: string): Promise<{ status: number; body: GqlResult }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query }),
  });
  return { status: res.status, body: (await res.json()) as GqlResult };
}

describe('query limits over HTTP', () => {
  for (const [name, query] of Object.entries(standard)) {
    it(`lets ${name} through, without a token`, async () => {
      const { status, body } = await post(hub.url, query);
      expect(body.errors).toBeUndefined();
      expect(status).toBe(200);
      expect((body.data as any).__schema.queryType.name).toBe('Query');
    });
  }

  for (const [name, { query, limit, message }] of Object.entries(floods)) {
    it(`refuses ${name} (unauthenticated) with GRAPHQL_VALIDATION_FAILED`, async () => {
      const { status, body } = await post(hub.url, query);
      expect(status).toBe(400);
      expect(body.data).toBeUndefined();
      const refusal = body.errors?.find((e) => e.extensions?.limit === limit);
      expect(refusal, JSON.stringify(body.errors)).toBeDefined();
      expect(refusal!.message).toMatch(message);
      expect(refusal!.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit });
      expect(body.errors!.map((e) => e.extensions?.code)).not.toContain('UNAUTHENTICATED');
    });
  }

  it('refuses an over-limit mutation before it runs (a token does not help)', async () => {
    const token = await openSession(hub.url);
    const input = { platform: 'dummy', actor: { id: 'x', type: 'person' }, object: { type: 'echo' } };
    const aliases = Array.from({ length: 16 }, (_, i) => `f${i}: fetch(input: $input) { id }`).join(' ');
    const r = await gql(hub.url, `mutation($input: ActivityInput!) { ${aliases} }`, { input }, token);
    expect(r.errors?.[0]?.extensions).toMatchObject({ code: 'GRAPHQL_VALIDATION_FAILED', limit: 'aliases' });
    // 15 aliases are fine
    const fifteen = Array.from({ length: 15 }, (_, i) => `f${i}: fetch(input: $input) { id }`).join(' ');
    expect(Object.keys(await ok(hub.url, `mutation($input: ActivityInput!) { ${fifteen} }`, { input }, token))).toHaveLength(15);
  });

  it('takes each limit from its option (env var or flag)', async () => {
    const token = await openSession(small.url);
    expect((await ok(small.url, '{ session { id } }', undefined, token)).session.id).toBeTruthy();
    const cases: [string, string][] = [
      ['{ session { id actors expiresAt } platforms { id verbs } }', 'cost'], // (2 + 1.5 * 3) + (2 + 1.5 * 2) = 11.5 > 10
      [verb('fetch', 'actor { id }'), 'depth'],
      ['{ a: session { id } b: session { id } }', 'aliases'],
      ['{ session { id @include(if: true) actors @include(if: true) } }', 'directives'],
      [`{ session { ${'id '.repeat(40)}} }`, 'tokens'],
    ];
    for (const [query, limit] of cases) {
      const r = await gql(small.url, query, { input: { platform: 'dummy', actor: { id: 'x', type: 'person' } } }, token);
      expect(r.errors?.map((e) => e.extensions), query).toContainEqual(expect.objectContaining({ code: 'GRAPHQL_VALIDATION_FAILED', limit }));
    }
  });
});

describe('query limits over WebSocket', () => {
  let c: RawSocket;
  beforeAll(async () => { c = await rawSocket(hub.wsUrl, await openSession(hub.url)); });
  afterAll(() => c?.close());

  for (const [name, query] of Object.entries(standard)) {
    it(`lets ${name} through`, async () => {
      const id = `ok:${name}`;
      c.subscribe(id, query);
      const msgs = await c.settled(id);
      expect(msgs.map((m) => m.type)).toEqual(['next', 'complete']);
      expect(msgs[0]!.payload.errors).toBeUndefined();
      expect(msgs[0]!.payload.data.__schema.queryType.name).toBe('Query');
    });
  }

  for (const [name, { query, limit, message }] of Object.entries(floods)) {
    it(`refuses ${name} with an error message for that operation; the socket stays open`, async () => {
      const id = `refused:${name}`;
      c.subscribe(id, query);
      const msgs = await c.settled(id);
      expect(c.closed()).toBeUndefined();
      expect(msgs).toHaveLength(1);
      expect(msgs[0]!.type).toBe('error');
      const refusal = (msgs[0]!.payload as GqlResult['errors'])!.find((e) => e.extensions?.limit === limit);
      expect(refusal, JSON.stringify(msgs[0]!.payload)).toBeDefined();
      expect(refusal!.message).toMatch(message);
      expect(refusal!.extensions).toEqual({ code: 'GRAPHQL_VALIDATION_FAILED', limit, max: expect.any(Number) });
    });
  }

  it('still answers on the same socket afterwards', async () => {
    c.subscribe('after', '{ session { id } }');
    const msgs = await c.settled('after');
    expect(msgs.map((m) => m.type)).toEqual(['next', 'complete']);
    expect(msgs[0]!.payload.data.session.id).toBeTruthy();
  });
});
