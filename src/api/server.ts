// The API role: GraphQL over HTTP (yoga, GraphiQL on GET) and over WebSocket (graphql-ws) on one
// port, plus /healthz and /metrics (src/http/health.ts). Query limits (src/api/limits.ts) are yoga
// plugins, so they hold on both transports. Resolvers stay thin: they call the dispatcher, stores and hub.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer } from 'ws';
import { useServer } from 'graphql-ws/use/ws';
import { createYoga, createGraphQLError, type YogaServerInstance } from 'graphql-yoga';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import { GraphQLError, getOperationAST, type DocumentNode, type ExecutionArgs } from 'graphql';
import type { Services } from '../services.js';
import type { WorkerRole } from '../worker/start.js';
import { HubError, isRedisUnreachable } from '../errors.js';
import { Replies } from '../queue/replies.js';
import { Dispatcher } from '../queue/dispatcher.js';
import { EventHub } from '../events/hub.js';
import { schema } from './schema.js';
import { createContext, type ApiServices, type Context } from './context.js';
import { GRAPHIQL_DEFAULT_QUERY, GRAPHIQL_HEADERS } from './graphiql.js';
import { queueDepth } from '../metrics.js';
import { platformQueue } from '../redis/keys.js';
import { handleHealthRequest, type HealthSources } from '../http/health.js';
import { demoHandler } from '../http/demo.js';
import { limitsPlugin } from './limits.js';
import { Guards } from './guards.js';
import { useDisableIntrospection } from '@graphql-yoga/plugin-disable-introspection';


/** requests still open this long after SIGTERM are cut (the process itself gives up at 10 s) */
const SHUTDOWN_GRACE_MS = 6_000;

export interface ApiRole {
  server: Server;
  url: string;
  stop(): Promise<void>;
}

interface InitialContext {
  request?: Request;
  /** the node request, when yoga runs behind node:http */
  req?: IncomingMessage;
  hubgraphReq?: IncomingMessage;
  hubgraphAuth?: string | null;
  hubgraphWs?: Context['ws'];
}

/** `worker` is this process's worker role (role `all`): its health is part of /healthz. */
export async function startApi(s: Services, worker: WorkerRole | undefined): Promise<ApiRole> {
  const log = s.log.child({ role: 'api' });
  const replies = new Replies(s.blockingRedis('hubgraph-replies'), s.keys, log);
  replies.start();
  const ttlMs = s.config.sessionTtlSeconds * 1000;
  const dispatcher = new Dispatcher(s.redis, s.keys, s.platforms, s.credentials, s.sessions, replies, { jobTimeoutMs: s.config.jobTimeoutMs, ttlMs });
  const hub = new EventHub(s.redis, () => s.blockingRedis('hubgraph-events'), s.keys, s.sessions, log);
  const guards = new Guards(s.redis, s.keys, s.config);
  const services: ApiServices = { ...s, dispatcher, hub, guards };

  const yoga: YogaServerInstance<Record<string, unknown>, Context> = createYoga<Record<string, unknown>, Context>({
    schema,
    graphqlEndpoint: '/graphql',
    landingPage: false,
    context: (initial: InitialContext) =>
      createContext(services, initial.hubgraphAuth ?? initial.request?.headers.get('authorization') ?? null, () => guards.address(initial.hubgraphReq ?? initial.req), initial.hubgraphWs),
    graphiql: { title: 'hubgraph', defaultQuery: GRAPHIQL_DEFAULT_QUERY, headers: GRAPHIQL_HEADERS, subscriptionsProtocol: 'WS' },
    renderGraphiQL,
    plugins: [limitsPlugin(s.config), ...(s.config.introspection ? [] : [useDisableIntrospection()])],
    maskedErrors: { maskError: (error) => maskError(error, log) },
    logging: {
      debug: (...a: unknown[]) => log.debug({ yoga: a.map(String).join(' ') }),
      info: (...a: unknown[]) => log.info({ yoga: a.map(String).join(' ') }),
      warn: (...a: unknown[]) => log.warn({ yoga: a.map(String).join(' ') }),
      error: (...a: unknown[]) => log.error({ yoga: a.map(String).join(' ') }),
    },
  });

  const healthSources: HealthSources = { services: s, worker, beforeScrape: () => refreshQueueDepths(s) };
  const demo = s.config.demo ? demoHandler(s.config.demoPath) : undefined;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (handleHealthRequest(healthSources, req, res)) return;
    if (demo?.(req, res)) return;
    if (guards.refuseLargeBody(req, res)) return;
    void yoga(req, res);
  });

  const wss = new WebSocketServer({
    server,
    path: '/graphql',
    maxPayload: s.config.maxBodyBytes,
    // too many sockets from one address: refused before the upgrade, with 429
    verifyClient: (info, done) => {
      const ip = guards.address(info.req);
      if (!guards.socketOpened(ip)) return done(false, 429, 'Too many WebSockets from this address');
      // released when the TCP socket closes, whether or not the upgrade completed
      info.req.socket.once('close', () => guards.socketClosed(ip));
      done(true);
    },
  });
  /** subscriptions counted against the cap, per socket: operation id -> how many counted under it
   *  (an id may be reused by a new subscribe before the old one's onComplete has run) */
  const counted = new WeakMap<object, Map<string, number>>();
  const uncount = (socket: object, id: string) => {
    const ids = counted.get(socket);
    const n = ids?.get(id) ?? 0;
    if (!ids || n === 0) return;
    if (n === 1) ids.delete(id);
    else ids.set(id, n - 1);
    guards.subscriptionEnded(socket);
  };
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
          hubgraphReq: ctx.extra.request,
          hubgraphWs: { socket: ctx.extra.socket, id },
        } as InitialContext as Record<string, unknown>);
        // A syntax error (or an over-limit document) fails this operation only: returning the
        // errors sends an `error` message for its id; throwing would close the socket with 4500.
        let document: DocumentNode;
        try {
          document = enveloped.parse(payload.query);
        } catch (err) {
          if (err instanceof GraphQLError) return [forWs(err, 'GRAPHQL_PARSE_FAILED')];
          throw err;
        }
        let errors: readonly GraphQLError[];
        try {
          errors = enveloped.validate(enveloped.schema, document);
        } catch (err) {
          if (err instanceof GraphQLError) return [forWs(err, 'GRAPHQL_VALIDATION_FAILED')];
          throw err;
        }
        if (errors.length) return errors.map((e) => forWs(e, 'GRAPHQL_VALIDATION_FAILED'));
        if (getOperationAST(document, payload.operationName)?.operation === 'subscription') {
          try {
            guards.subscriptionStarted(ctx.extra.socket);
          } catch (err) {
            const e = HubError.from(err);
            return [new GraphQLError(e.message, { extensions: { code: e.code, ...(e.details ? { details: e.details } : {}) } })];
          }
          let ids = counted.get(ctx.extra.socket);
          if (!ids) counted.set(ctx.extra.socket, (ids = new Map()));
          ids.set(id, (ids.get(id) ?? 0) + 1);
        }
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
      // graphql-ws calls onComplete for every operation that started (after onError for one that
      // failed, and on socket close); onError alone for errors returned by onSubscribe (never counted)
      onComplete: (ctx, id) => uncount(ctx.extra.socket, id),
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
      // subscriptions end first: an SSE response is a request in flight that would never finish
      await hub.stop();
      // requests in flight are answered; a keep-alive connection is closed as soon as it goes idle
      const closed = new Promise<void>((r) => server.close(() => r()));
      const idle = setInterval(() => server.closeIdleConnections(), 25);
      // and anything still open after a grace period is cut
      const grace = setTimeout(() => server.closeAllConnections(), SHUTDOWN_GRACE_MS);
      await closed;
      clearInterval(idle);
      clearTimeout(grace);
      server.closeAllConnections();
      await replies.stop();
      await dispatcher.close();
    },
  };

  async function refreshQueueDepths(sv: Services): Promise<void> {
    const counts = await Promise.all(
      sv.platforms.ids().map(async (id) => [platformQueue(id), await dispatcher.queue(platformQueue(id)).getWaitingCount()] as const),
    );
    for (const [queue, n] of counts) queueDepth.set({ queue }, n);
  }
}

/**
 * An error for a graphql-ws `error` message: the code HTTP clients get for the same failure, and
 * without yoga's `http` extension (status and headers mean nothing on a WebSocket). Yoga caches
 * parse errors by document text for both transports, so the cached error itself is first given
 * what yoga's HTTP path gives it (code, status 400): an HTTP request for the same document after
 * a WebSocket one gets the same answer as before it.
 */
function forWs(error: GraphQLError, code: string): GraphQLError {
  const shared = error.extensions as Record<string, unknown>;
  shared.code ||= code;
  const http = ((shared.http as Record<string, unknown> | undefined) ||= {});
  http.spec ??= true;
  http.status ||= 400;
  const { http: _http, ...extensions } = shared;
  return new GraphQLError(error.message, {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions,
  });
}

function authFromParams(params: Readonly<Record<string, unknown>> | undefined): string | null {
  const v = params?.authorization ?? params?.Authorization;
  return typeof v === 'string' ? v : null;
}

/** HubErrors keep their message and code; anything unexpected is logged and masked. */
function maskError(error: unknown, log: { error(o: object, m: string): void }): Error {
  const gqlError = error instanceof GraphQLError ? error : undefined;
  let original = error instanceof GraphQLError ? error.originalError : error;
  // Redis down is an outage the client can wait out, not a bug
  if (isRedisUnreachable(original)) original = HubError.from(original);
  if (original instanceof HubError) {
    return createGraphQLError(original.message, {
      nodes: gqlError?.nodes,
      source: gqlError?.source,
      positions: gqlError?.positions,
      path: gqlError?.path,
      extensions: { code: original.code, ...(original.details ? { details: original.details } : {}) },
    });
  }
  // a GraphQL error with no path, or with a GraphQL error inside and no path (variables that do not
  // fit their types), is the client's; one with a path is the server's (a value that does not fit
  // the schema on the way out) and is masked below
  if (gqlError && (!original || (original instanceof Error && original.name === 'GraphQLError' && !gqlError.path))) {
    if (gqlError.extensions.code) return gqlError;
    return createGraphQLError(gqlError.message, { nodes: gqlError.nodes, source: gqlError.source, positions: gqlError.positions, path: gqlError.path, extensions: { ...gqlError.extensions, code: 'BAD_USER_INPUT' } });
  }
  log.error({ err: original instanceof Error ? { message: original.message, stack: original.stack } : String(original) }, 'unexpected error in a resolver');
  return createGraphQLError('Unexpected error.', { path: gqlError?.path, extensions: { code: 'INTERNAL_SERVER_ERROR' } });
}
