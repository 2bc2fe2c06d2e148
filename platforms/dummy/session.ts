// A persistent dummy connection, hosted in the sessions pool.
import { threadId } from 'node:worker_threads';
import { HubError } from '../../src/errors.js';
import type { PlatformSession, SessionContext, SessionModule, Verb } from '../../src/platform/types.js';
import type { DummyState } from './state.js';
import { send } from './verbs/send.js';
import { update } from './verbs/update.js';
import { query } from './verbs/query.js';
import { join, leave } from './verbs/join.js';
import { presence } from './inbound/presence.js';

interface DummyCredentials { name: string; connectDelayMs?: number; refuse?: boolean }

export const openSession: SessionModule['openSession'] = (ctx: SessionContext): PlatformSession => {
  const creds = ctx.credentials as DummyCredentials;
  // rooms survive a thread crash: they are saved with ctx.saveState and handed back on reopen
  const restoredRooms = (ctx.restored as { rooms?: string[] } | undefined)?.rooms ?? [];
  const state: DummyState = { ctx, name: creds.name, commands: 0, rooms: new Set(restoredRooms), timers: new Set() };
  return {
    async connect() {
      if (creds.connectDelayMs) await new Promise((r) => setTimeout(r, creds.connectDelayMs));
      if (creds.refuse) throw new HubError('PLATFORM_ERROR', 'the dummy server refused the credentials');
      ctx.emit(presence(ctx.actor, 'online', `thread ${threadId}`));
    },
    async handle(verb: Verb, activity) {
      state.commands++;
      switch (verb) {
        case 'send': return send(state, activity);
        case 'update': return update(state, activity);
        case 'query': return query(state, activity);
        case 'join': return join(state, activity);
        case 'leave': return leave(state, activity);
        default: throw new HubError('BAD_USER_INPUT', `the dummy session does not handle ${verb}`);
      }
    },
    async close() {
      for (const t of state.timers) clearTimeout(t);
      state.timers.clear();
    },
  };
};
