// update: object.type "presence" announces a presence; object.type "crash" is one of the ways a
// platform can fail inside a pool thread:
//   throw: an uncaught error in this session's own timer (only this session must restart)
//   exit:  process.exit in the thread (every session on the thread dies and must come back)
//   hang:  an endless loop (the thread stops answering and must be replaced)
import { HubError } from '../../../src/errors.js';
import type { ASActivity } from '../../../src/platform/types.js';
import type { DummyState } from '../state.js';
import { presence } from '../inbound/presence.js';

export async function update(state: DummyState, activity: ASActivity): Promise<ASActivity> {
  const obj = activity.object;
  if (obj?.type === 'presence') {
    state.ctx.emit(presence(state.ctx.actor, String(obj.presence ?? 'online'), obj.content));
    return activity;
  }
  if (obj?.type !== 'crash') throw new HubError('BAD_USER_INPUT', 'the dummy update takes object.type "crash" or "presence"');
  const later = (fn: () => void) => {
    const t = setTimeout(() => { state.timers.delete(t); fn(); }, 20);
    state.timers.add(t);
  };
  switch (obj.mode) {
    case 'throw': later(() => { throw new Error('dummy session threw on purpose'); }); break;
    case 'exit': later(() => process.exit(7)); break;
    case 'hang': later(() => { for (;;) { /* endless, on purpose */ } }); break;
    default: throw new HubError('BAD_USER_INPUT', 'object.mode must be throw, exit or hang');
  }
  return activity;
}
