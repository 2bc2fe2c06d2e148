// Runs inside a jobs-pool thread: one stateless verb of one platform per task.
import { HubError, type SerializedError } from '../errors.js';
import type { ASActivity, JobModule, Verb } from '../platform/types.js';

export interface JobTask {
  module: string;
  verb: Verb;
  activity: ASActivity;
  credentials: unknown;
  allowPrivateAddresses: boolean;
}

export type JobTaskResult = { ok: true; activity: ASActivity } | { ok: false; error: SerializedError };

const modules = new Map<string, Promise<JobModule>>();

export default async function runJob(task: JobTask): Promise<JobTaskResult> {
  try {
    let mod = modules.get(task.module);
    if (!mod) {
      mod = import(task.module) as Promise<JobModule>;
      modules.set(task.module, mod);
    }
    const handler = (await mod).jobs[task.verb];
    if (!handler) throw new HubError('BAD_USER_INPUT', `${task.verb} is not a stateless verb of this platform`);
    const activity = await handler(task.activity, { credentials: task.credentials, allowPrivateAddresses: task.allowPrivateAddresses });
    return { ok: true, activity };
  } catch (err) {
    // errors are returned, not thrown: a structured clone would drop the code
    return { ok: false, error: HubError.from(err).toJSON() };
  }
}
