// One IRC connection, hosted in the sessions pool: an irc-framework client whose socket passes
// the core's address guard (transport.ts). `connect` resolves once the server has registered us
// (001) and fails with PLATFORM_ERROR when the server cannot be reached, refuses us, or does not
// finish registering in time. A nick that is taken fails `connect` with an error naming it; we do
// not pick an alternate nick, because the actor id (`nick@server`) is the connection's identity.
// A connection lost after registering is not the end of the session: subscribers get a
// `disconnect` activity, the session reconnects (the same client, so the address guard checks
// every attempt) with exponential backoff and jitter, rejoins its channels and takes back its
// nick, then announces `connect`. It retries until `disconnect` (close) stops it. The channels
// and the nick are also saved with ctx.saveState, so a reopen after a thread crash (ctx.restored)
// rejoins them too, with their channel keys. Outbound lines are paced (pacer.ts) at the rate
// HUBGRAPH_IRC_FLOOD sets for the server (it reaches the thread with the net policy, ctx.net).
// With `sasl: true` the client logs in with SASL PLAIN (irc-framework's own: `account`, and
// `sasl_disconnect_on_fail`) as `username` (default: the nick) with `password`, which then is the
// account's password and is not sent as PASS. `connect` fails with PLATFORM_ERROR naming SASL
// when the server refuses the login or does not offer SASL at all (never carries on unauthenticated).
// A login refused during a reconnect ends the session instead of retrying (the password will not
// become right by itself): subscribers get an `error` activity naming SASL, then the host's
// `disconnect`, and the connection is gone (ctx.ended). A server that merely stops offering SASL
// (its services daemon away) is retried like any lost connection.
import { connectionNotice } from '../../src/platform/notice.js';
import { RetryTimer } from '../../src/platform/backoff.js';
import irc from 'irc-framework';
import { HubError } from '../../src/errors.js';
import { AddressGuard } from '../../src/net/address-guard.js';
import type { ASActivity, PlatformSession, SessionContext, SessionModule, Verb } from '../../src/platform/types.js';
import { type IrcCredentials, type IrcSaved, type IrcState, Pending, lower } from './state.js';
import { floodFor, paceWrites } from './pacer.js';
import { GuardedTransport } from './transport.js';
import { onErrors } from './inbound/errors.js';
import { onJoin } from './inbound/join.js';
import { onKick } from './inbound/kick.js';
import { onMessages } from './inbound/message.js';
import { onMode } from './inbound/mode.js';
import { onMotd } from './inbound/motd.js';
import { onNames } from './inbound/names.js';
import { onNick } from './inbound/nick.js';
import { onPart } from './inbound/part.js';
import { onQuit } from './inbound/quit.js';
import { onTopic } from './inbound/topic.js';
import { join } from './verbs/join.js';
import { leave } from './verbs/leave.js';
import { query } from './verbs/query.js';
import { send } from './verbs/send.js';
import { update } from './verbs/update.js';

/** Registration must finish well inside the job deadline (HUBGRAPH_JOB_TIMEOUT, 30 s by default). */
export const REGISTRATION_TIMEOUT_MS = 20_000;
const QUIT_GRACE_MS = 2_000;
/** Reconnect backoff: attempt n waits between half and all of min(MAX, FIRST × 2^n), so the
 *  first retry comes after 0.5-1 s and none waits longer than 60 s. */
export const RECONNECT_FIRST_MS = 1_000;
export const RECONNECT_MAX_MS = 60_000;

const VERBS: Partial<Record<Verb, (state: IrcState, activity: ASActivity) => Promise<ASActivity>>> = { join, leave, send, update, query };

export const openSession: SessionModule['openSession'] = (ctx: SessionContext): PlatformSession => {
  const creds = ctx.credentials as IrcCredentials;
  const secure = creds.secure ?? true;
  const port = creds.port ?? (secure ? 6697 : 6667);
  const client = new irc.Client();
  const state: IrcState = {
    ctx,
    client,
    creds,
    server: creds.server,
    nick: creds.nick,
    registered: false,
    channels: new Map(),
    wanted: new Map(),
    keys: new Map(),
    pending: new Pending('the IRC server'),
  };
  const restored = ctx.restored as Partial<IrcSaved> | undefined;
  for (const channel of restored?.channels ?? []) {
    state.wanted.set(channel.toLowerCase(), channel);
    const key = restored?.keys?.[channel];
    if (typeof key === 'string' && key) state.keys.set(channel.toLowerCase(), key);
  }
  /** the nick to take back after (re)registering, when it was changed from the credentials' */
  let wantNick = typeof restored?.nick === 'string' ? restored.nick : creds.nick;
  let closing = false;
  let socketError: Error | undefined;
  const retry = new RetryTimer(RECONNECT_FIRST_MS, RECONNECT_MAX_MS);

  paceWrites(client, () => state.registered, floodFor(ctx.net.ircFlood, creds.server));

  // each inbound/ file registers module-level handlers with the state as eventemitter3's context:
  // one function for every connection, not a closure each
  for (const register of [onErrors, onMessages, onJoin, onPart, onQuit, onKick, onNick, onTopic, onNames, onMode, onMotd]) register(state);

  // SASL (creds.sasl): the account logged in (903) before the welcome, or connect fails naming SASL
  let saslDone = false;
  /** the server refused the login itself (not merely without SASL): retrying cannot help */
  let saslRefused: HubError | undefined;
  client.connection.on('message', (msg) => {
    if (String(msg.command) === '903') saslDone = true;
  });
  client.on('sasl failed', (e: { reason?: string; message?: string }) => {
    if (!creds.sasl) return;
    const err = new HubError('PLATFORM_ERROR', saslFailure(e.reason, e.message));
    if (e.reason !== 'capability_missing') saslRefused = err;
    state.pending.reject('register', err);
  });

  function saslFailure(reason?: string, message?: string): string {
    const as = `"${creds.username ?? creds.nick}"`;
    switch (reason) {
      case 'capability_missing':
        return `SASL was asked for (sasl: true) but ${state.server} does not offer it; not connecting unauthenticated`;
      case 'unsupported_mechanism':
        return `SASL PLAIN is not among the mechanisms ${state.server} offers (${String(client.network.cap.available?.get('sasl') ?? '')})`;
      case 'nick_locked':
        return `SASL authentication as ${as} failed on ${state.server}: the nick is locked${message ? ` (${message})` : ''}`;
      default:
        return `SASL authentication as ${as} failed on ${state.server}${message ? `: ${message}` : ''}`;
    }
  }

  client.on('registered', (e: { nick?: string }) => {
    if (creds.sasl && !saslDone) {
      // a server without CAP or without the sasl capability registers us unauthenticated
      state.pending.reject('register', new HubError('PLATFORM_ERROR', saslFailure('capability_missing')));
      return;
    }
    state.registered = true;
    if (e.nick) state.nick = String(e.nick);
    state.pending.resolve('register');
  });
  client.on('socket close', (err?: Error) => { if (err) socketError = err; });
  client.on('close', () => {
    const wasRegistered = state.registered;
    state.registered = false;
    state.channels.clear();
    if (closing) return;
    const why = state.lastServerError ?? socketError?.message ?? 'the server closed the connection';
    if (!wasRegistered) {
      const refused = socketError instanceof HubError ? socketError : new HubError('PLATFORM_ERROR', `could not connect to ${state.server}:${port}: ${why}`);
      state.pending.reject('register', refused);
      return;
    }
    state.pending.rejectAll(new HubError('PLATFORM_ERROR', `the connection to ${state.server} was lost: ${why}`));
    wantNick = state.nick;
    ctx.emit(status('disconnect', `the connection to ${state.server} was lost: ${why}; reconnecting`));
    scheduleReconnect();
  });

  const status = (type: 'connect' | 'disconnect', content: string): ASActivity => connectionNotice(type, ctx.actor, content);

  function scheduleReconnect(): void {
    if (closing) return;
    retry.schedule(() => void reconnect());
  }

  async function reconnect(): Promise<void> {
    if (closing) return;
    socketError = undefined;
    state.lastServerError = undefined;
    saslDone = false;
    saslRefused = undefined;
    const registered = state.pending.wait('register', 'the registration', REGISTRATION_TIMEOUT_MS);
    client.connect();
    try {
      await registered;
    } catch {
      if (closing) return;
      // set by the 'sasl failed' handler while we waited (TypeScript cannot see that)
      const refused = saslRefused as HubError | undefined;
      if (refused) {
        giveUp(`${refused.message}; not reconnecting: the connection to ${state.server} is closed`);
        return;
      }
      if (client.connection.connected) client.connection.end(null, true);
      scheduleReconnect();
      return;
    }
    retry.reset();
    await restore();
    if (!closing && state.registered) ctx.emit(status('connect', `reconnected to ${state.server}`));
  }

  /** After (re)registering: takes back the nick and rejoins the channels (refusals reach subscribers as error activities). */
  async function restore(): Promise<void> {
    // restored names were keyed before the server told us its casemapping
    for (const [k, channel] of [...state.wanted]) {
      if (k === lower(state, channel)) continue;
      state.wanted.delete(k);
      state.wanted.set(lower(state, channel), channel);
      const chanKey = state.keys.get(k);
      state.keys.delete(k);
      if (chanKey) state.keys.set(lower(state, channel), chanKey);
    }
    if (!client.caseCompare(wantNick, state.nick)) {
      const answered = state.pending.wait('nick', `NICK ${wantNick}`).catch(() => undefined);
      client.changeNick(wantNick);
      await answered;
    }
    await Promise.all([...state.wanted.values()].map(async (channel) => {
      const key = lower(state, channel);
      if (state.channels.has(key)) return;
      const answered = state.pending.wait(`join ${key}`, `JOIN ${channel}`);
      client.join(channel, state.keys.get(key));
      await answered.catch(() => undefined);
    }));
  }

  /** Ends the session for good: an `error` activity says why, then the host forgets the connection. */
  function giveUp(why: string): void {
    closing = true;
    retry.cancel();
    state.pending.rejectAll(new HubError('PLATFORM_ERROR', why));
    client.connection.end(null, true);
    ctx.emit({ type: 'error', actor: { id: ctx.actor, type: 'person' }, target: { id: state.server, type: 'service', name: state.server }, object: { type: 'error', content: why, verb: 'connect' } });
    ctx.ended(why);
  }

  async function quit(message: string): Promise<void> {
    closing = true;
    retry.cancel();
    state.pending.rejectAll(new HubError('PLATFORM_ERROR', `the connection to ${state.server} was closed`));
    if (!client.connection.connected) {
      client.connection.end();
      return;
    }
    const closed = new Promise<void>((resolve) => {
      const timer = setTimeout(() => { client.connection.end(null, true); resolve(); }, QUIT_GRACE_MS);
      client.once('close', () => { clearTimeout(timer); resolve(); });
    });
    client.quit(message);
    await closed;
  }

  return {
    async connect() {
      if (ctx.actor !== `${creds.nick}@${creds.server}`) {
        throw new HubError('BAD_USER_INPUT', `the IRC actor must be nick@server, "${creds.nick}@${creds.server}" for these credentials, not "${ctx.actor}"`, { field: 'actor.id' });
      }
      if (creds.sasl && !creds.password) throw new HubError('BAD_USER_INPUT', 'sasl: true needs the account\'s `password` (and `username` when the account is not the nick)', { field: 'credentials.password' });
      const registered = state.pending.wait('register', 'the registration', REGISTRATION_TIMEOUT_MS);
      client.connect({
        host: creds.server,
        port,
        tls: secure,
        nick: creds.nick,
        username: creds.username ?? creds.nick,
        gecos: creds.realname ?? creds.nick,
        // with sasl the password is the account's (SASL PLAIN, no PASS); without it, a server
        // password (PASS), and `account: {}` keeps irc-framework from trying it for SASL as well
        ...(creds.sasl
          ? { account: { account: creds.username ?? creds.nick, password: creds.password }, sasl_disconnect_on_fail: true }
          : { account: {}, ...(creds.password ? { password: creds.password } : {}) }),
        auto_reconnect: false,
        // our own messages come back from the server to every session sharing the connection (inbound/message.ts)
        enable_echomessage: true,
        version: 'hubgraph',
        transport: GuardedTransport,
        guard: new AddressGuard(ctx.net),
      });
      try {
        await registered;
      } catch (err) {
        await quit('registration failed');
        const e = HubError.from(err);
        if (e.code === 'TIMEOUT') throw new HubError('PLATFORM_ERROR', `${state.server}:${port} did not finish registering within ${REGISTRATION_TIMEOUT_MS / 1000} s`);
        throw e;
      }
      await restore();
    },
    async handle(verb, activity) {
      const run = VERBS[verb];
      if (!run) throw new HubError('BAD_USER_INPUT', `the IRC platform does not handle ${verb} on a connection`);
      return run(state, activity);
    },
    async close() {
      await quit('hubgraph: disconnected');
    },
  };
};
