// join / leave a room: the session remembers it and the room announces it as an inbound activity.
import { HubError } from '../../../src/errors.js';
import type { ASActivity } from '../../../src/platform/types.js';
import type { DummyState } from '../state.js';
import { person, inbound } from '../translate.js';

function room(activity: ASActivity): string {
  const id = activity.target?.id;
  if (!id) throw new HubError('BAD_USER_INPUT', 'target.id (the room) is required', { field: 'target.id' });
  return id;
}

export async function join(state: DummyState, activity: ASActivity): Promise<ASActivity> {
  const id = room(activity);
  state.rooms.add(id);
  state.ctx.saveState({ rooms: [...state.rooms] });
  state.ctx.emit(inbound('join', person(state.ctx.actor, state.name), { id, type: 'room' }));
  return activity;
}

export async function leave(state: DummyState, activity: ASActivity): Promise<ASActivity> {
  const id = room(activity);
  state.rooms.delete(id);
  state.ctx.saveState({ rooms: [...state.rooms] });
  state.ctx.emit(inbound('leave', person(state.ctx.actor, state.name), { id, type: 'room' }));
  return activity;
}
