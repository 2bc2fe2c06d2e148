// The activities that tell subscribers a connection went away or came back. Platforms send them
// when they reconnect by themselves; the supervisor when it reopens a connection (thread crash,
// takeover from another worker). One shape for all: `disconnect` carries an error, `connect` a status.
import type { ASActivity } from './types.js';

export function connectionNotice(type: 'connect' | 'disconnect', actor: string, content: string, platform?: string): ASActivity {
  return {
    type,
    ...(platform ? { platform } : {}),
    actor: { id: actor, type: 'person' },
    object: { type: type === 'disconnect' ? 'error' : 'status', content },
  };
}
