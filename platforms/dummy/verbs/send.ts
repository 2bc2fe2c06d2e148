// send: the peer echoes the message back, object.repeat times (default once), as inbound `send`s;
// after object.delayMs when given (so that a test can have events arrive while something is down).
import type { ASActivity } from '../../../src/platform/types.js';
import type { DummyState } from '../state.js';
import { message } from '../inbound/message.js';

export async function send(state: DummyState, activity: ASActivity): Promise<ASActivity> {
  const repeat = Number(activity.object?.repeat ?? 1);
  const content = String(activity.object?.content ?? '');
  const echo = () => { for (let i = 0; i < repeat; i++) state.ctx.emit(message(state.ctx.actor, activity.target, content, i)); };
  const delayMs = Number(activity.object?.delayMs ?? 0);
  if (delayMs > 0) {
    const t = setTimeout(() => { state.timers.delete(t); echo(); }, delayMs);
    state.timers.add(t);
  } else echo();
  return activity;
}
