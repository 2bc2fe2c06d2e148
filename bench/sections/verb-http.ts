// Section 1: the stateless echo verb over HTTP (yoga -> dispatcher -> BullMQ -> worker ->
// Piscina -> reply stream -> HTTP response), with a keep-alive node:http client.
import { HttpGql } from '../support/http-gql.js';
import { measure, type LoadResult } from '../support/load.js';
import { ECHO_INPUT, ECHO_MUTATION } from '../support/operations.js';
import type { LoadSizes } from '../options.js';

export interface VerbResults {
  sequential: LoadResult;
  concurrent: LoadResult;
}

export async function runVerbHttp(url: string, token: string, sizes: LoadSizes): Promise<VerbResults> {
  const http = new HttpGql(url, token);
  const call = () => http.run(ECHO_MUTATION, ECHO_INPUT);
  try {
    return await measure(sizes, call);
  } finally {
    http.close();
  }
}
