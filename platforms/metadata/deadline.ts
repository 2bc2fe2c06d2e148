// One budget for a whole preview: the follow-up fetches (oEmbed, the rest of the body) share what
// is left of HUBGRAPH_FETCH_TIMEOUT after the page itself, so a preview never takes much longer
// than one fetch may.
import { HubError } from '../../src/errors.js';

/** Starts `work` unless the deadline has passed, and gives up on it (TIMEOUT) at the deadline. */
export function withDeadline<T>(work: () => Promise<T>, deadline: number, what: string): Promise<T> {
  const left = deadline - Date.now();
  if (left <= 0) return Promise.reject(new HubError('TIMEOUT', `no time was left to fetch ${what} (HUBGRAPH_FETCH_TIMEOUT)`));
  // a fetch given up on here still ends at the fetcher's own timeout
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HubError('TIMEOUT', `${what} did not answer in time (HUBGRAPH_FETCH_TIMEOUT)`)), left);
  });
  return Promise.race([work(), late]).finally(() => clearTimeout(timer));
}
