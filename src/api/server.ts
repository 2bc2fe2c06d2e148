// The API role: GraphQL over HTTP (yoga, GraphiQL on GET) and over WebSocket (graphql-ws) on one
// port, plus /healthz and /metrics. Resolvers stay thin: they call the dispatcher, stores and hub.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import { createYoga, createGraphQLError, type YogaServerInstance } from 'graphql-yoga';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { GraphQLError, type ExecutionArgs } from 'graphql';
import type { Services } from '../services.js';
import { HubError } from '../errors.js';
import { Replies } from '../queue/replies.js';
import { Dispatcher } from '../queue/dispatcher.js';
import { EventHub } from '../events/hub.js';
import { schema } from './schema.js';
import { createContext, type ApiServices, type Context } from './context.js';
import { GRAPHIQL_DEFAULT_QUERY, GRAPHIQL_HEADERS } from './graphiql.js';
import { registry, queueDepth } from '../metrics.js';
import { platformQueue } from '../redis/keys.js';

/** WebSocket messages larger than this are refused (graphql-ws closes with 1009). */
const MAX_WS_MESSAGE_BYTES = 1024 * 1024;

export interface ApiRole {
  server: Server;
  url: string;
  stop(): Promise<void>;
}

interface InitialContext {
  request?: Request;
  hubgraphAuth?: string | null;
  hubgraphWs?: Context['ws'];
}

export async function startApi(s: Services, workerHealthy: (() => boolean) | undefined): Promise<ApiRole> {
  const log = s.log.child({ role: 'api' });
  const replies = new Replies(s.blockingRedis('hubgraph-replies'), s.keys, log);
  replies.start();
  const ttlMs = s.config.sessionTtlSeconds * 1000;
  const dispatcher = new Dispatcher(s.redis, s.keys, s.platforms, s.credentials, s.sessions, replies, { jobTimeoutMs: s.config.jobTimeoutMs, ttlMs });
  const hub = new EventHub(s.redis, () => s.blockingRedis('hubgraph-events'), s.keys, s.sessions, log);
  const services: ApiServices = { ...s, dispatcher, hub };

  const yoga: YogaServerInstance<Record<string, unknown>, Context> = createYoga<Record<string, unknown>, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    context: (initial: InitialContext) =>
      createContext(services, initial.hubgraphAuth ?? initial.request?.headers.get('authorization') ?? null, initial.hubgraphWs),
    graphiql: { title: 'hubgraph', defaultQuery: GRAPHIQL_DEFAULT_QUERY, headers: GRAPHIQL_HEADERS, subscriptionsProtocol: 'WS' },
    renderGraphiQL,
    maskedErrors: { maskError: (error) => maskError(error, log) },
    logging: {
      debug: (...a: unknown[]) => log.debug({ yoga: a.map(String).join(' ') }),
      info: (...a: unknown[]) => log.info({ yoga: a.map(String).join(' ') }),
      warn: (...a: unknown[]) => log.warn({ yoga: a.map(String).join(' ') }),
      error: (...a: unknown[]) => log.error({ yoga: a.map(String).join(' ') }),
    },
  });

  const health = async (): Promise<{ ok: boolean; body: Record<string, unknown> }> => {
    const redisOk = await Promise.race([s.redis.ping().then((r) => r === 'PONG', () => false), new Promise<boolean>((r) => setTimeout(() => r(false), 1000))]);
    const workerOk = workerHealthy ? workerHealthy() : undefined;
    const ok = redisOk && workerOk !== false;
    return { ok, body: { status: ok ? 'ok' : 'unavailable', role: s.config.role, redis: redisOk ? 'ok' : 'down', ...(workerOk === undefined ? {} : { workers: workerOk ? 'ok' : 'down' }) } };
  };

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz' && req.method === 'GET') {
      void health().then(({ ok, body }) => {
        res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      });
      return;
    }
    if (path === '/metrics' && req.method === 'GET') {
      void metrics(s).then(
        (text) => res.writeHead(200, { 'content-type': registry.contentType }).end(text),
        (err: Error) => res.writeHead(500).end(err.message),
      );
      return;
    }
    void yoga(req, res);
  });

  const wss = new WebSocketServer({ server, path: '/graphql', maxPayload: MAX_WS_MESSAGE_BYTES });
  useServer<Record<string, unknown>>(
    {
      // a bad or missing token closes the socket with 4403 Forbidden
      onConnect: async (ctx) => {
        try {
          await s.sessions.authenticate(authFromParams(ctx.connectionParams));
          return true;
        } catch {
          return false;
        }
      },
      onSubscribe: async (ctx, id, payload) => {
        const enveloped = yoga.getEnveloped({
          hubgraphAuth: authFromParams(ctx.connectionParams),
          hubgraphWs: { socket: ctx.extra.socket, id },
        } as InitialContext as Record<string, unknown>);
        const document = enveloped.parse(payload.query);
        const errors = enveloped.validate(enveloped.schema, document);
        if (errors.length) return errors;
        const args: ExecutionArgs = {
          schema: enveloped.schema,
          document,
          operationName: payload.operationName ?? null,
          variableValues: payload.variables ?? null,
          contextValue: await enveloped.contextFactory(),
          rootValue: { execute: enveloped.execute, subscribe: enveloped.subscribe },
        };
        return args;
      },
      execute: (args) => (args.rootValue as { execute: typeof import('graphql').execute }).execute(args),
      subscribe: (args) => (args.rootValue as { subscribe: typeof import('graphql').subscribe }).subscribe(args),
    },
    wss,
  );

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(s.config.port, s.config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = s.config.host.includes(':') ? `[${s.config.host}]` : s.config.host;
  const url = `http://${host}:${port}/graphql`;

  return {
    server,
    url,
    async stop() {
      for (const client of wss.clients) client.close(1001, 'server shutting down');
      await new Promise<void>((r) => wss.close(() => r()));
      await new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await hub.stop();
      await replies.stop();
      await dispatcher.close();
    },
  };

  async function metrics(sv: Services): Promise<string> {
    const counts = await Promise.all(
      sv.platforms.ids().map(async (id) => [platformQueue(id), await dispatcher.queue(platformQueue(id)).getWaitingCount()] as const),
    );
    for (const [queue, n] of counts) queueDepth.set({ queue }, n);
    return registry.metrics();
  }
}

function authFromParams(params: Readonly<Record<string, unknown>> | undefined): string | null {
  const v = params?.authorization ?? params?.Authorization;
  return typeof v === 'string' ? v : null;
}

/** HubErrors keep their message and code; anything unexpected is logged and masked. */
function maskError(error: unknown, log: { error(o: object, m: string): void }): Error {
  const original = error instanceof GraphQLError ? error.originalError : error;
  const gqlError = error instanceof GraphQLError ? error : undefined;
  if (original instanceof HubError) {
    return createGraphQLError(original.message, {
      nodes: gqlError?.nodes,
      source: gqlError?.source,
      positions: gqlError?.positions,
      path: gqlError?.path,
      extensions: { code: original.code, ...(original.details ? { details: original.details } : {}) },
    });
  }
  if (gqlError && !original) return gqlError;
  log.error({ err: original instanceof Error ? { message: original.message, stack: original.stack } : String(original) }, 'unexpected error in a resolver');
  return createGraphQLError('Unexpected error.', { path: gqlError?.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } });
}
