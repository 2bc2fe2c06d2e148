// send: the peer echoes the message back, object.repeat times (default once), as inbound `send`s.
import type { ASActivity } from '../../../src/platform/types.js';
import type { DummyState } from '../state.js';
import { message } from '../inbound/message.js';

export async function send(state: DummyState, activity: ASActivity): Promise<ASActivity> {
  const repeat = Number(activity.object?.repeat ?? 1);
  const content = String(activity.object?.content ?? '');
  for (let i = 0; i < repeat; i++) state.ctx.emit(message(state.ctx.actor, activity.target, content, i));
  return activity;
}
