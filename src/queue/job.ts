// What a queued job carries. The activity travels sealed with the session's data key.
import type { Verb } from '../platform/types.js';

export interface JobData {
  /** verb */
  v: Verb;
  /** platform */
  p: string;
  sid: string;
  /** actor id (credentials are read by the worker, never queued) */
  a: string;
  /** connection key, for verbs that run on a persistent connection */
  k?: string;
  /** stream the result is written to */
  reply: string;
  /** epoch ms after which the job is answered with TIMEOUT instead of run */
  deadline: number;
  /** sealed ASActivity */
  body: string;
}

/** Binds the sealed activity to its job and to every routing field, so none can be swapped. */
export const jobAad = (jobId: string, d: Pick<JobData, 'sid' | 'v' | 'p' | 'a' | 'k'>) => `job\n${jobId}\n${d.sid}\n${d.v}\n${d.p}\n${d.a}\n${d.k ?? ''}`;

/** How every hubgraph job is queued (and requeued): gone once done, failures kept a while for inspection. */
export const JOB_OPTIONS = { removeOnComplete: true, removeOnFail: { count: 1000, age: 3600 } } as const;
