import type { SessionContext } from '../../src/platform/types.js';

/** What one dummy connection remembers: it proves that a session lives on between commands. */
export interface DummyState {
  ctx: SessionContext;
  name: string;
  commands: number;
  rooms: Set<string>;
  timers: Set<NodeJS.Timeout>;
}
