// join: JOIN the channel named by target.id (`#chan@server`); done when the server echoes our
// JOIN, failed (PLATFORM_ERROR) when it answers with an error (banned, invite only, full …).
// Joining a channel we are already in is done at once (servers send nothing back).
import type { ASActivity } from '../../../src/platform/types.js';
import { type IrcState, lower } from '../state.js';
import { channelOf } from '../translate.js';
import { connected } from './write.js';

export async function join(state: IrcState, activity: ASActivity): Promise<ASActivity> {
  const channel = channelOf(activity.target, state.server);
  const key = lower(state, channel);
  if (state.channels.has(key)) return activity;
  connected(state);
  const answered = state.pending.wait(`join ${key}`, `JOIN ${channel}`);
  state.client.join(channel);
  await answered;
  return activity;
}
