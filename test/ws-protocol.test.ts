// The graphql-transport-ws protocol spoken by hand, to see exactly what the server sends: an
// operation that does not parse (or does not validate) fails with an `error` message for its own
// id, and the socket and the other operations on it carry on.
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropPrefix, startHubgraph, stopAll, type Hubgraph } from './support/hubgraph.js';
import { eventually, ok, openSession, verb, type GqlResult } from './support/client.js';
import { rawSocket } from './support/raw-ws.js';

let hub: Hubgraph;
beforeAll(async () => { hub = await startHubgraph(); });
afterAll(async () => { await stopAll(); await dropPrefix(hub.prefix); });

describe('graphql-transport-ws: a bad operation fails alone', () => {
  it('a syntax error gets an error message for its id; the socket stays open and its other subscription keeps streaming', async () => {
    const token = await openSession(hub.url);
    const actor = 'ws@dummy';
    await ok(hub.url, 'mutation($a: String!) { setCredentials(platform: "dummy", actor: $a, credentials: {name: "ws"}) }', { a: actor }, token);
    const input = { platform: 'dummy', actor: { id: actor, type: 'person' } };
    await ok(hub.url, verb('connect', 'id'), { input }, token);
    const say = (content: string) => ok(hub.url, verb('send', 'id'), { input: { ...input, object: { type: 'message', content } } }, token);

    const c = await rawSocket(hub.wsUrl, token);
    try {
      c.subscribe('live', 'subscription { activities(platform: "dummy") { type object { content } } }');
      const contents = (id: string) => c.of(id).filter((m) => m.type === 'next').map((m) => m.payload?.data?.activities?.object?.content);
      await eventually(async () => { await say('probe'); return contents('live').includes('probe'); }, 10_000, 200);

      // a syntax error: one error message for that id, nothing else
      c.subscribe('broken', 'subscription { activities { type ');
      await eventually(() => c.of('broken').length > 0 || c.closed(), 5000);
      expect(c.closed()).toBeUndefined();
      // a query that parses but does not validate, and a syntax error in a query: the same
      c.subscribe('invalid', '{ noSuchField }');
      c.subscribe('broken-query', 'query {');
      await eventually(() => c.of('invalid').length > 0 && c.of('broken-query').length > 0, 5000);

      expect(c.closed()).toBeUndefined();
      expect(c.ws.readyState).toBe(WebSocket.OPEN);
      expect(c.of('broken')).toHaveLength(1);
      expect(c.of('broken')[0]).toMatchObject({ type: 'error', id: 'broken' });
      expect(c.of('broken')[0]!.payload).toEqual([
        expect.objectContaining({ message: expect.stringMatching(/^Syntax Error: /), extensions: { code: 'GRAPHQL_PARSE_FAILED' } }),
      ]);
      expect(c.of('broken-query')[0]).toMatchObject({ type: 'error', payload: [{ message: expect.stringMatching(/^Syntax Error: /), extensions: { code: 'GRAPHQL_PARSE_FAILED' } }] });
      expect(c.of('invalid')[0]).toMatchObject({ type: 'error', payload: [{ message: expect.stringContaining('noSuchField'), extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } }] });
      // the codes are the ones HTTP clients get for the same documents (which yoga caches for both
      // transports: HTTP still answers 400 after the WebSocket saw them first)
      for (const [query, code] of [['query {', 'GRAPHQL_PARSE_FAILED'], ['{ noSuchField }', 'GRAPHQL_VALIDATION_FAILED']]) {
        const res = await fetch(hub.url, { method: 'POST', headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json' }, body: JSON.stringify({ query }) });
        expect(res.status, query).toBe(400);
        expect(((await res.json()) as GqlResult).errors?.[0]?.extensions, query).toEqual({ code });
      }
      // no http extension from yoga leaks onto the socket
      expect(JSON.stringify(c.of('invalid'))).not.toContain('"http"');

      // the first subscription still streams, and new operations on the same socket still work
      await say('after the error');
      await eventually(() => contents('live').includes('after the error'), 10_000);
      c.subscribe('q', '{ session { actors } }');
      await eventually(() => c.of('q').some((m) => m.type === 'complete'), 5000);
      expect(c.of('q')[0]).toMatchObject({ type: 'next', payload: { data: { session: { actors: [actor] } } } });
      // the failed id is free again: it may be used for a new operation
      c.subscribe('broken', '{ __typename }');
      await eventually(() => c.of('broken').some((m) => m.type === 'complete'), 5000);
      expect(c.of('broken')[1]).toMatchObject({ type: 'next', payload: { data: { __typename: 'Query' } } });
      expect(c.closed()).toBeUndefined();
    } finally {
      c.close();
    }
  });
});
