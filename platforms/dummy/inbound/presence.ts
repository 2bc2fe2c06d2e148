import type { ASActivity } from '../../../src/platform/types.js';
import { inbound, person } from '../translate.js';

export function presence(actor: string, state: string, content?: string): ASActivity {
  return inbound('update', person(actor), undefined, { type: 'presence', presence: state, ...(content ? { content } : {}) });
}
