// What one IRC connection knows: the client, its own nick, the channels it is in (with each
// member's prefix modes), and the verbs waiting for the server's answer.
import type { Client } from 'irc-framework';
import type { SessionContext } from '../../src/platform/types.js';

export interface IrcCredentials {
  nick: string;
  server: string;
  port?: number;
  secure?: boolean;
  password?: string;
  sasl?: boolean;
  username?: string;
  realname?: string;
}

/** A channel member's prefix modes are a string of letters, not a Set: every session holds one
 *  per member of each of its channels, and a Set costs some 150 bytes even when empty. */
export interface Member {
  nick: string;
  modes: string;
}

export interface ChannelState {
  name: string;
  /** lower-cased nick → { nick as written, prefix mode letters ("ov") } */
  members: Map<string, Member>;
  /** RPL_TOPIC seen, waiting for RPL_TOPICWHOTIME (who set it) or the end of NAMES */
  pendingTopic?: string;
}

import { Pending } from '../../src/platform/pending.js';
export { ANSWER_TIMEOUT_MS, Pending } from '../../src/platform/pending.js';

export interface IrcState {
  ctx: SessionContext;
  client: Client;
  creds: IrcCredentials;
  /** the credentials' server as given: the suffix of every id */
  server: string;
  /** own nick as the server knows it now (changes with NICK) */
  nick: string;
  registered: boolean;
  /** the text of the server's last ERROR line (why it closed the connection) */
  lastServerError?: string;
  channels: Map<string, ChannelState>;
  /** channels to be in (lower-cased → as written): what a reconnect or a reopen after a thread
   *  crash rejoins; unlike `channels`, a lost connection does not clear it */
  wanted: Map<string, string>;
  /** channel keys (lower-cased channel → key) of wanted channels, given to `join` or set with
   *  MODE +k while we are in: a rejoin presents them */
  keys: Map<string, string>;
  pending: Pending;
}

/** What survives a thread crash (ctx.saveState / ctx.restored): the channels and the nick. */
export interface IrcSaved {
  channels: string[];
  nick: string;
  /** channel as written → key */
  keys?: Record<string, string>;
}

/** Saves the channels to rejoin (with their keys) and the current nick; called whenever they change. */
export function remember(state: IrcState): void {
  const keys: Record<string, string> = {};
  for (const [k, channel] of state.wanted) { const key = state.keys.get(k); if (key) keys[channel] = key; }
  const saved: IrcSaved = { channels: [...state.wanted.values()], nick: state.nick, ...(Object.keys(keys).length ? { keys } : {}) };
  state.ctx.saveState(saved);
}

/** Case-insensitive key of a channel or nick under the server's casemapping. */
export function lower(state: IrcState, name: string): string {
  return state.client.caseLower(name);
}

export function isSelf(state: IrcState, nick: string | undefined): boolean {
  return !!nick && state.client.caseCompare(nick, state.nick);
}

/** The channel and the nick a channel event names (`who`: the field holding the nick), with the channel's key; undefined when either is missing. */
export function channelEvent(state: IrcState, e: { channel?: unknown } & Record<string, unknown>, who: string): { channel: string; nick: string; key: string } | undefined {
  const channel = String(e.channel ?? '');
  const nick = String(e[who] ?? '');
  if (!channel || !nick) return undefined;
  return { channel, nick, key: lower(state, channel) };
}

/** Someone left a channel (PART, KICK): when it is us, the channel is forgotten; else it loses the member. */
export function leftChannel(state: IrcState, key: string, nick: string): void {
  if (isSelf(state, nick)) {
    state.channels.delete(key);
    forget(state, key);
  } else {
    state.channels.get(key)?.members.delete(lower(state, nick));
  }
}

/** We no longer want the channel (our own PART, or a KICK): forgets it and its key. */
export function forget(state: IrcState, key: string): void {
  const had = state.wanted.delete(key);
  state.keys.delete(key);
  if (had) remember(state);
}
