import type { ASActivity, ASObject } from '../../../src/platform/types.js';
import { PEER, inbound, person } from '../translate.js';

/** The peer's echo of a message: actor = the peer, target = the room or the session's actor. */
export function message(actor: string, target: ASObject | undefined, content: string, n: number): ASActivity {
  return inbound('send', PEER, target?.type === 'room' ? target : person(actor), { type: 'message', content, n });
}
