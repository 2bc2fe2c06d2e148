// Runs inside a jobs-pool thread: one stateless verb of one platform per task.
import { HubError, type SerializedError } from '../errors.js';
import type { ASActivity, JobModule, Verb } from '../platform/types.js';
import type { NetPolicy } from '../net/policy.js';
import { SafeFetcher } from '../net/safe-fetch.js';
import { RedisCache } from '../net/shared-cache.js';
import { sealJsonBytes } from '../crypto/keys.js';

export interface JobTask {
  module: string;
  verb: Verb;
  activity: ASActivity;
  credentials: unknown;
  net: NetPolicy;
  redisUrl: string;
  prefix: string;
  /** seal the outcome here, for the reply stream: a large result (a 50-item feed) is then
   *  serialised and encrypted in this thread, and crosses to the main thread as one buffer of
   *  its own, which goes to Redis as it is */
  seal?: { key: Uint8Array; aad: string };
}

// one fetcher (with its connection pool) and one cache connection per thread
let fetcher: { policy: string; fetcher: SafeFetcher } | undefined;
let cache: RedisCache | undefined;
function fetcherFor(net: NetPolicy): SafeFetcher {
  const policy = JSON.stringify(net);
  if (fetcher?.policy !== policy) fetcher = { policy, fetcher: new SafeFetcher(net) };
  return fetcher.fetcher;
}

export type JobTaskResult = { ok: true; activity: ASActivity } | { ok: false; error: SerializedError };
/** the outcome sealed for the reply stream, and its error (if any) for the worker's metrics */
export interface SealedJobResult { sealed: Uint8Array; error?: SerializedError }

export default async function runJob(task: JobTask): Promise<JobTaskResult | SealedJobResult> {
  const result = await run(task);
  if (!task.seal) return result;
  const key = Buffer.from(task.seal.key);
  try {
    // sealBytes never returns a slice of Node's shared pool: the clone carries nothing else across
    return { sealed: sealJsonBytes(key, result, task.seal.aad), ...(result.ok ? {} : { error: result.error }) };
  } finally {
    key.fill(0);
    task.seal.key.fill(0);
  }
}

const modules = new Map<string, Promise<JobModule>>();

async function run(task: JobTask): Promise<JobTaskResult> {
  try {
    let mod = modules.get(task.module);
    if (!mod) {
      mod = import(task.module) as Promise<JobModule>;
      modules.set(task.module, mod);
    }
    const handler = (await mod).jobs[task.verb];
    if (!handler) throw new HubError('BAD_USER_INPUT', `${task.verb} is not a stateless verb of this platform`);
    cache ??= new RedisCache(task.redisUrl, task.prefix);
    const activity = await handler(task.activity, { credentials: task.credentials, net: task.net, fetcher: fetcherFor(task.net), cache });
    return { ok: true, activity };
  } catch (err) {
    // errors are returned, not thrown: a structured clone would drop the code
    return { ok: false, error: HubError.from(err).toJSON() };
  }
}
