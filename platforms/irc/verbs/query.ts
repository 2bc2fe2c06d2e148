// query: object.type `attendance` asks NAMES of target.id (`#chan@server`) and answers with
// object `{type: "attendance", totalItems, members: [{id, type: "person", name, role, modes}]}`;
// each member also arrives as an `update` presence activity (see inbound/names.ts).
import { HubError } from '../../../src/errors.js';
import type { ASActivity } from '../../../src/platform/types.js';
import { type IrcState, lower } from '../state.js';
import { channelOf } from '../translate.js';
import { attendance, type Attendee } from '../inbound/names.js';
import { connected } from './write.js';

export async function query(state: IrcState, activity: ASActivity): Promise<ASActivity> {
  if (activity.object?.type !== 'attendance') {
    throw new HubError('BAD_USER_INPUT', 'IRC query takes object.type "attendance"', { field: 'object.type' });
  }
  const channel = channelOf(activity.target, state.server);
  connected(state);
  const answered = state.pending.wait<Attendee[]>(`names ${lower(state, channel)}`, `NAMES ${channel}`);
  state.client.raw('NAMES', channel);
  const users = await answered;
  return { ...activity, object: attendance(state, `${channel}@${state.server}`, users ?? []) };
}
