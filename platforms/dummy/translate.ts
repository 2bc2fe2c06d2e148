// Dummy "protocol" <-> ActivityStreams: the peer that answers every session is echo@dummy.
import type { ASActivity, ASObject } from '../../src/platform/types.js';

export const PEER: ASObject = { id: 'echo@dummy', type: 'person', name: 'echo' };

export function person(id: string, name?: string): ASObject {
  return name ? { id, type: 'person', name } : { id, type: 'person' };
}

export function inbound(type: string, actor: ASObject, target: ASObject | undefined, object?: ASObject): ASActivity {
  return { type, actor, ...(target ? { target } : {}), ...(object ? { object } : {}) };
}
