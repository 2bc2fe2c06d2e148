// query: the session's own state, so tests can see that it persisted (and on which thread).
import { threadId } from 'node:worker_threads';
import type { ASActivity } from '../../../src/platform/types.js';
import type { DummyState } from '../state.js';

export async function query(state: DummyState, activity: ASActivity): Promise<ASActivity> {
  return {
    ...activity,
    object: { type: 'state', name: state.name, commands: state.commands, rooms: [...state.rooms], threadId },
  };
}
