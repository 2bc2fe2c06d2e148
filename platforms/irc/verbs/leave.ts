// leave: PART the channel; done when the server echoes our PART (a channel we are not in fails
// with the server's "not on channel").
import type { ASActivity } from '../../../src/platform/types.js';
import { type IrcState, lower } from '../state.js';
import { channelOf } from '../translate.js';
import { connected, singleLine } from './write.js';

export async function leave(state: IrcState, activity: ASActivity): Promise<ASActivity> {
  const channel = channelOf(activity.target, state.server);
  const message = activity.object?.content ? singleLine(String(activity.object.content), 'object.content') : undefined;
  connected(state);
  const answered = state.pending.wait(`part ${lower(state, channel)}`, `PART ${channel}`);
  state.client.part(channel, message);
  await answered;
  return activity;
}
