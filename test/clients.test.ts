// Real GraphQL clients on hubgraph's WebSocket: Apollo Client (GraphQLWsLink) and urql
// (subscriptionExchange), both over graphql-ws, subscribed with the SDK's typed ActivitiesDocument.
import { ApolloClient, InMemoryCache } from '@apollo/client';
import { GraphQLWsLink } from '@apollo/client/link/subscriptions';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { Client as UrqlClient, subscriptionExchange } from '@urql/core';
import { print } from 'graphql';
import { createClient, type Client as WsClient } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActivitiesDocument, ConnectDocument, OpenSessionDocument, SendDocument, SetCredentialsDocument, type ActivitiesSubscription } from 'hubgraph/sdk';
import { dropPrefix, startHubgraph, stopAll, type Hubgraph } from './support/hubgraph.js';
import { eventually, ok } from './support/client.js';

type Inbound = ActivitiesSubscription['activities'];

let hub: Hubgraph;
beforeAll(async () => { hub = await startHubgraph(); });
afterAll(async () => { await stopAll(); await dropPrefix(hub.prefix); });

/** One typed operation over HTTP. */
function call<R, V>(document: TypedDocumentNode<R, V>, variables: V, token?: string): Promise<R> {
  return ok<R>(hub.url, print(document), variables as Record<string, unknown>, token);
}

/** A session with a connected dummy actor; say() makes the dummy peer echo `content` `repeat` times. */
async function dummySession(actor: string) {
  const { openSession: { token } } = await call(OpenSessionDocument, {});
  await call(SetCredentialsDocument, { platform: 'dummy', actor, credentials: { name: actor } }, token);
  const input = { platform: 'dummy', actor: { id: actor, type: 'person' } };
  await call(ConnectDocument, { input }, token);
  const say = (content: string, repeat = 1) => call(SendDocument, { input: { ...input, object: { type: 'message', content, extra: { repeat } } } }, token);
  return { token, say };
}

function graphqlWs(token: string): WsClient {
  return createClient({ url: hub.wsUrl, webSocketImpl: WebSocket, connectionParams: { authorization: `Bearer ${token}` }, retryAttempts: 0 });
}

/** Waits until the server streams to the subscription: a probe sent after that arrives. */
async function live(received: Inbound[], say: (content: string) => Promise<unknown>): Promise<void> {
  await eventually(async () => {
    await say('probe');
    return received.some((a) => a.object?.content === 'probe');
  }, 10_000, 200);
}

const echoes = (received: Inbound[], content: string) => received.filter((a) => a.type === 'send' && a.object?.content === content);

describe('GraphQL clients on the activities subscription', () => {
  it('Apollo Client with GraphQLWsLink receives inbound activities from the dummy platform', async () => {
    const { token, say } = await dummySession('apollo@dummy');
    const ws = graphqlWs(token);
    const apollo = new ApolloClient({ link: new GraphQLWsLink(ws), cache: new InMemoryCache() });
    const received: Inbound[] = [];
    const failures: unknown[] = [];
    const subscription = apollo.subscribe({ query: ActivitiesDocument, variables: { platform: 'dummy', actor: 'apollo@dummy' } }).subscribe({
      next: ({ data, error }) => {
        if (data) received.push(data.activities);
        if (error) failures.push(error);
      },
      error: (err: unknown) => failures.push(err),
    });
    try {
      await live(received, say);
      await say('hello apollo', 3);
      await eventually(() => echoes(received, 'hello apollo').length >= 3);
      expect(failures).toEqual([]);
      expect(echoes(received, 'hello apollo')).toHaveLength(3);
      expect(echoes(received, 'hello apollo')[0]).toMatchObject({
        platform: 'dummy',
        actor: { id: 'echo@dummy', type: 'person' },
        target: { id: 'apollo@dummy' },
        object: { type: 'message', content: 'hello apollo' },
        cursor: expect.any(String),
      });
    } finally {
      subscription.unsubscribe();
      apollo.stop();
      await ws.dispose();
    }
  });

  it('urql with subscriptionExchange over graphql-ws receives inbound activities from the dummy platform', async () => {
    const { token, say } = await dummySession('urql@dummy');
    const ws = graphqlWs(token);
    const urql = new UrqlClient({
      url: hub.url,
      exchanges: [
        subscriptionExchange({
          forwardSubscription: (request) => ({
            subscribe: (sink) => ({ unsubscribe: ws.subscribe({ ...request, query: request.query ?? '' }, sink) }),
          }),
        }),
      ],
    });
    const received: Inbound[] = [];
    const failures: unknown[] = [];
    const subscription = urql.subscription(ActivitiesDocument, { platform: 'dummy', actor: 'urql@dummy' }).subscribe(({ data, error }) => {
      if (data) received.push(data.activities);
      if (error) failures.push(error);
    });
    try {
      await live(received, say);
      await say('hello urql', 3);
      await eventually(() => echoes(received, 'hello urql').length >= 3);
      expect(failures).toEqual([]);
      expect(echoes(received, 'hello urql')).toHaveLength(3);
      expect(echoes(received, 'hello urql')[0]).toMatchObject({
        platform: 'dummy',
        actor: { id: 'echo@dummy', type: 'person' },
        target: { id: 'urql@dummy' },
        object: { type: 'message', content: 'hello urql' },
        cursor: expect.any(String),
      });
    } finally {
      subscription.unsubscribe();
      await ws.dispose();
    }
  });
});
