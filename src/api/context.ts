// The GraphQL context: the engine's services plus who is asking. Authentication is lazy and
// memoized, so operations that need no session (openSession, introspection) never touch Redis.
import type { WebSocket } from 'ws';
import type { Services } from '../services.js';
import type { Dispatcher } from '../queue/dispatcher.js';
import type { EventHub } from '../events/hub.js';
import type { Guards } from './guards.js';
import type { Session } from '../session/store.js';

export interface ApiServices extends Services {
  dispatcher: Dispatcher;
  hub: EventHub;
  guards: Guards;
}

export interface Context {
  services: ApiServices;
  /** the raw Authorization value (HTTP header or connection_init payload) */
  authorization: string | null;
  /** the client's address, as the per-address limits key it (worked out only when asked for) */
  ip(): string;
  /** set for operations that arrive over graphql-ws */
  ws?: { socket: WebSocket; id: string };
  session(): Promise<Session>;
}

export function createContext(services: ApiServices, authorization: string | null, ip: () => string, ws?: Context['ws']): Context {
  let session: Promise<Session> | undefined;
  return {
    services,
    authorization,
    ip,
    ...(ws ? { ws } : {}),
    session: () => (session ??= services.sessions.authenticate(authorization)),
  };
}
