// GraphQL over HTTP with node:http and a keep-alive agent (lighter per request than fetch, so
// the client adds as little as it can to what is measured).
import { Agent, request } from 'node:http';

export interface GqlResponse<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/**
 * A keep-alive agent that drops an idle socket before the server does: Node's server closes
 * idle connections after 5 s, and a request sent on one just then fails with "socket hang up".
 * With a timeout set, the agent also honours the server's Keep-Alive hint (minus a second).
 */
export function keepAliveAgent(maxSockets: number): Agent {
  return new Agent({ keepAlive: true, maxSockets, timeout: 4000 });
}

export class HttpGql {
  private readonly agent: Agent;
  private readonly target: URL;

  constructor(url: string, private readonly token?: string, maxSockets = 64) {
    this.target = new URL(url);
    this.agent = keepAliveAgent(maxSockets);
  }

  /** Resolves with the data; rejects on a transport error or a GraphQL error. */
  async run<T>(query: string, variables?: Record<string, unknown>): Promise<T> {
    const res = await this.post<T>(JSON.stringify({ query, variables }));
    if (res.errors?.length || !res.data) throw new Error(`GraphQL error: ${JSON.stringify(res.errors)}`);
    return res.data;
  }

  /** run() as another session: the token for this call only (many sessions over one agent). */
  async runAs<T>(token: string, query: string, variables?: Record<string, unknown>): Promise<T> {
    const res = await this.post<T>(JSON.stringify({ query, variables }), token);
    if (res.errors?.length || !res.data) throw new Error(`GraphQL error: ${JSON.stringify(res.errors)}`);
    return res.data;
  }

  close(): void {
    this.agent.destroy();
  }

  private post<T>(body: string, token = this.token): Promise<GqlResponse<T>> {
    return new Promise((resolve, reject) => {
      const req = request(
        this.target,
        {
          method: 'POST',
          agent: this.agent,
          headers: {
            'content-type': 'application/json',
            accept: 'application/graphql-response+json, application/json',
            'content-length': Buffer.byteLength(body),
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            try {
              resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as GqlResponse<T>);
            } catch (err) {
              reject(new Error(`HTTP ${res.statusCode}: not JSON (${(err as Error).message})`));
            }
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }
}
