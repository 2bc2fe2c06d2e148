// join: JOIN the channel named by target.id (`#chan@server`), with the channel key in
// `target.key` when it has one (GraphQL: `target: {id, extra: {key}}`); done when the server
// echoes our JOIN, failed (PLATFORM_ERROR) when it answers with an error (bad key, banned, invite
// only, full …). The key is kept for rejoins (reconnect, reopen after a thread crash). Joining a
// channel we are already in is done at once (servers send nothing back).
import { HubError } from '../../../src/errors.js';
import type { ASActivity } from '../../../src/platform/types.js';
import { type IrcState, lower, remember } from '../state.js';
import { channelOf } from '../translate.js';
import { connected } from './write.js';

/** RFC 2812 key: no space, comma, NUL, CR, LF; servers cap it at about 23-32 characters. */
export const KEY_PATTERN = '^[^\\s,\\0]{1,64}$';

export async function join(state: IrcState, activity: ASActivity): Promise<ASActivity> {
  const channel = channelOf(activity.target, state.server);
  const chanKey = (activity.target as { key?: unknown } | undefined)?.key;
  if (chanKey !== undefined && (typeof chanKey !== 'string' || !new RegExp(KEY_PATTERN).test(chanKey))) {
    throw new HubError('BAD_USER_INPUT', 'target.key must be a channel key: 1-64 characters, no space or comma', { field: 'target.key' });
  }
  const key = lower(state, channel);
  if (state.channels.has(key)) return activity;
  connected(state);
  const answered = state.pending.wait(`join ${key}`, `JOIN ${channel}`);
  state.client.join(channel, chanKey);
  await answered;
  if (chanKey && state.keys.get(key) !== chanKey) {
    state.keys.set(key, chanKey);
    remember(state);
  }
  return activity;
}
