// What one XMPP connection knows: the client, its own JID, the rooms it is in (each occupant
// with role and affiliation), the rooms it wants to be in (rejoined after a reconnect or a thread
// crash), the presence it last announced, and the verbs waiting for the server's answer.
import type { Client } from '@xmpp/client';
import { HubError } from '../../src/errors.js';
import type { SessionContext } from '../../src/platform/types.js';
import type { Seen } from './history.js';
import type { Presence } from './translate.js';

export interface XmppCredentials {
  userAddress: string;
  password: string;
  resource: string;
  server?: string;
  port?: number;
}

export interface Occupant {
  nick: string;
  role: string;
  affiliation: string;
  /** the occupant's real JID, when the room shows it (non-anonymous rooms, or to moderators) */
  jid?: string;
  presence: Presence;
  status?: string;
}

export interface RoomState {
  jid: string;
  nick: string;
  /** nick → occupant; filled by the room's presence, starting with the join */
  occupants: Map<string, Occupant>;
  /** our own presence (status 110) has arrived: the join is done */
  joined: boolean;
}

/** A roster item (RFC 6121 §2.1). */
export interface Contact {
  jid: string;
  name?: string;
  subscription: 'none' | 'to' | 'from' | 'both' | 'remove';
  /** we asked for its presence and it has not answered yet */
  ask: boolean;
  groups: string[];
}

export interface Wanted {
  nick: string;
  password?: string;
}

import { Pending } from '../../src/platform/pending.js';
export { ANSWER_TIMEOUT_MS, Pending } from '../../src/platform/pending.js';

export interface XmppState {
  ctx: SessionContext;
  client: Client;
  creds: XmppCredentials;
  /** own bare JID (the actor id) and full JID once bound */
  bare: string;
  full: string;
  domain: string;
  online: boolean;
  /** rooms we are in now (bare room JID → state); a lost connection clears it */
  rooms: Map<string, RoomState>;
  /** rooms to be in: what a reconnect or a reopen after a thread crash rejoins */
  wanted: Map<string, Wanted>;
  /** the roster: bare JID → contact (read at connect, kept current by roster pushes) */
  roster: Map<string, Contact>;
  /** what `update` presence last set, announced again after a reconnect */
  presence: { show: Presence; status: string };
  pending: Pending;
  /** domain → whether it is a MUC service (disco#info), asked once per connection before a join */
  mucServices: Map<string, boolean>;
  /** ids of stanzas whose error answers a waiting verb (servers need not echo the payload) */
  asked: Map<string, { verb: string; key: string }>;
  /** room → the last messages seen there: a rejoin asks only for the history after them (history.ts) */
  seen: Map<string, Seen>;
}

/** What survives a thread crash (ctx.saveState / ctx.restored). */
export interface XmppSaved {
  rooms: { jid: string; nick: string; password?: string; seen?: Seen }[];
  presence?: { show: Presence; status: string };
}

export function remember(state: XmppState): void {
  const saved: XmppSaved = {
    rooms: [...state.wanted].map(([jid, w]) => {
      const seen = state.seen.get(jid);
      return { jid, nick: w.nick, ...(w.password ? { password: w.password } : {}), ...(seen ? { seen } : {}) };
    }),
    presence: state.presence,
  };
  state.ctx.saveState(saved);
}

export function connected(state: XmppState): void {
  if (!state.online) throw new HubError('PLATFORM_ERROR', `not connected to ${state.domain}`);
}
