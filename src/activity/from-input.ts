// GraphQL ActivityInput -> ActivityStreams 2.0 document, with the generic checks every verb gets.
import { randomUUID } from 'node:crypto';
import { HubError } from '../errors.js';
import { activityType, type ASActivity, type ASObject, type Verb } from '../platform/types.js';

export const AS_CONTEXT = 'https://www.w3.org/ns/activitystreams';

export interface ActivityObjectInput {
  id?: string | null;
  type: string;
  name?: string | null;
  content?: string | null;
  url?: string | null;
  mediaType?: string | null;
  summary?: string | null;
  extra?: unknown;
}

export interface ActivityInput {
  platform: string;
  id?: string | null;
  actor: ActivityObjectInput;
  object?: ActivityObjectInput | null;
  target?: ActivityObjectInput | null;
}

const MAX_STRING = 64 * 1024;
const MAX_EXTRA_JSON = 256 * 1024;
const STRING_FIELDS = ['id', 'type', 'name', 'content', 'url', 'mediaType', 'summary'] as const;

function toObject(input: ActivityObjectInput, where: string): ASObject {
  const out: ASObject = { type: '' };
  if (input.extra !== undefined && input.extra !== null) {
    if (typeof input.extra !== 'object' || Array.isArray(input.extra)) {
      throw new HubError('BAD_USER_INPUT', `${where}.extra must be a JSON object`, { field: `${where}.extra` });
    }
    if (JSON.stringify(input.extra).length > MAX_EXTRA_JSON) {
      throw new HubError('BAD_USER_INPUT', `${where}.extra is larger than ${MAX_EXTRA_JSON} bytes`, { field: `${where}.extra` });
    }
    Object.assign(out, input.extra);
  }
  for (const f of STRING_FIELDS) {
    const v = input[f];
    if (v === undefined || v === null) continue;
    if (v.length > MAX_STRING) throw new HubError('BAD_USER_INPUT', `${where}.${f} is longer than ${MAX_STRING} characters`, { field: `${where}.${f}` });
    out[f] = v;
  }
  if (!out.type.trim()) throw new HubError('BAD_USER_INPUT', `${where}.type must not be empty`, { field: `${where}.type` });
  return out;
}

export function activityFromInput(verb: Verb, input: ActivityInput): ASActivity {
  if (!input.actor.id?.trim()) throw new HubError('BAD_USER_INPUT', 'actor.id is required', { field: 'actor.id' });
  if (input.id !== undefined && input.id !== null && (input.id.length === 0 || input.id.length > 256)) {
    throw new HubError('BAD_USER_INPUT', 'id must be 1 to 256 characters', { field: 'id' });
  }
  const activity: ASActivity = {
    '@context': AS_CONTEXT,
    id: input.id ?? randomUUID(),
    type: activityType(verb),
    platform: input.platform,
    actor: toObject(input.actor, 'actor'),
    published: new Date().toISOString(),
  };
  if (input.object) activity.object = toObject(input.object, 'object');
  if (input.target) activity.target = toObject(input.target, 'target');
  return activity;
}

/** Fills what every stored or streamed activity carries. */
export function completeActivity(activity: ASActivity, platform: string): ASActivity {
  return {
    '@context': AS_CONTEXT,
    ...activity,
    id: activity.id ?? randomUUID(),
    platform: activity.platform ?? platform,
    published: activity.published ?? new Date().toISOString(),
  };
}
