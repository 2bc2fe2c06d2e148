// Section 2: the same echo verb as a mutation over one WebSocket, with the graphql-ws client.
import { createClient, type Client, type FormattedExecutionResult } from 'graphql-ws';
import WebSocket from 'ws';
import { measure } from '../support/load.js';
import { ECHO_INPUT, ECHO_MUTATION } from '../support/operations.js';
import type { LoadSizes } from '../options.js';
import type { VerbResults } from './verb-http.js';

type Result = FormattedExecutionResult<Record<string, unknown>, unknown>;

function execute(client: Client): Promise<Result> {
  return new Promise((resolve, reject) => {
    let result: Result | undefined;
    client.subscribe(
      { query: ECHO_MUTATION, variables: ECHO_INPUT },
      {
        next: (r) => (result = r),
        error: (e) => reject(e instanceof Error ? e : new Error(JSON.stringify(e))),
        complete: () => (result && !result.errors ? resolve(result) : reject(new Error(`GraphQL error: ${JSON.stringify(result?.errors)}`))),
      },
    );
  });
}

export async function runVerbWs(wsUrl: string, token: string, sizes: LoadSizes): Promise<VerbResults> {
  const client = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    lazy: false,
    retryAttempts: 0,
  });
  const call = () => execute(client);
  try {
    return await measure(sizes, call);
  } finally {
    await client.dispose();
  }
}
