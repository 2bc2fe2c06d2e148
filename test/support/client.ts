// A small GraphQL client for tests: HTTP with fetch, WebSocket with graphql-ws.
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

export interface GqlResult<T = Record<string, any>> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string; [k: string]: unknown }; path?: unknown[] }[];
}

export async function gql<T = Record<string, any>>(url: string, query: string, variables?: Record<string, unknown>, token?: string): Promise<GqlResult<T>> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as GqlResult<T>;
}

/** Like gql, but throws unless the operation succeeded. */
export async function ok<T = Record<string, any>>(url: string, query: string, variables?: Record<string, unknown>, token?: string): Promise<T> {
  const r = await gql<T>(url, query, variables, token);
  if (r.errors?.length || !r.data) throw new Error(`GraphQL error: ${JSON.stringify(r.errors)}`);
  return r.data;
}

export function errorCode(r: GqlResult): string | undefined {
  return r.errors?.[0]?.extensions?.code;
}

export async function openSession(url: string): Promise<string> {
  const d = await ok<{ openSession: { token: string } }>(url, 'mutation { openSession { token expiresAt } }');
  return d.openSession.token;
}

export const activityFields = 'id type platform cursor published actor { id type name } target { id type } object { type content json } json';

export function verb(name: string, fields = activityFields): string {
  return `mutation($input: ActivityInput!) { ${name}(input: $input) { ${fields} } }`;
}

export function wsClient(wsUrl: string, token: string | undefined, extra: Partial<Parameters<typeof createClient>[0]> = {}): Client {
  return createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: true,
    ...extra,
  });
}

export interface Collected<T> {
  items: T[];
  errors: unknown[];
  completed: boolean;
  /** resolves once at least n items arrived (rejects after the timeout) */
  waitFor(n: number, timeoutMs?: number): Promise<T[]>;
  stop(): void;
}

export function collect<T = any>(client: Client, query: string, variables?: Record<string, unknown>): Collected<T> {
  const items: T[] = [];
  const errors: unknown[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const state: Collected<T> = {
    items,
    errors,
    completed: false,
    waitFor(n, timeoutMs = 10_000) {
      if (items.length >= n) return Promise.resolve(items);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`got ${items.length} of ${n} items; errors: ${JSON.stringify(errors)}`)), timeoutMs);
        waiters.push({ n, resolve: () => { clearTimeout(timer); resolve(items); } });
      });
    },
    stop: () => unsubscribe(),
  };
  const unsubscribe = client.subscribe<T>({ query, variables }, {
    next: (v) => {
      if (v.errors) errors.push(v.errors);
      if (v.data) items.push(v.data as T);
      for (const w of [...waiters]) if (items.length >= w.n) { waiters.splice(waiters.indexOf(w), 1); w.resolve(); }
    },
    error: (e) => errors.push(e),
    complete: () => { state.completed = true; },
  });
  return state;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until fn returns a truthy value. */
export async function eventually<T>(fn: () => Promise<T> | T, timeoutMs = 10_000, everyMs = 50): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${(last as Error).message}` : ''}`);
    await sleep(everyMs);
  }
}
