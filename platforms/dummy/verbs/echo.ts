// fetch: object.type echo (answers with the activity), fail (PLATFORM_ERROR), sleep (waits
// object.ms), spin (an endless loop that only the pool's watchdog can end).
import { HubError } from '../../../src/errors.js';
import type { JobHandler } from '../../../src/platform/types.js';

export const echo: JobHandler = async (activity) => {
  const kind = activity.object?.type;
  if (kind === 'fail') throw new HubError('PLATFORM_ERROR', 'the dummy platform failed on purpose');
  if (kind === 'sleep') await new Promise((r) => setTimeout(r, Number(activity.object?.ms ?? 0)));
  if (kind === 'spin') for (;;) { /* an endless loop, on purpose */ }
  return { ...activity, object: { ...activity.object, type: 'echo' } };
};
