// One XMPP connection, hosted in the sessions pool: an @xmpp/client whose TCP socket passes the
// core's address guard (transport.ts). `connect` resolves once the client is online (SASL done,
// resource bound), the roster has been read (each contact arrives as an activity) and the
// initial presence is sent; it fails with PLATFORM_ERROR carrying the server's SASL condition and
// text when the login is refused, or saying why the server could not be reached.
// A connection lost after coming online is not the end of the session: subscribers get a
// `disconnect` activity, the session reconnects (the same client and transport, so the guard
// checks every attempt) with exponential backoff and jitter, resumes the stream (XEP-0198) when
// the server still has it or else logs in again, announces its presence, reads the roster and
// rejoins its rooms, then announces `connect`. It retries until `disconnect` (close) stops it,
// except when retrying cannot help: a login refused on reconnect (the password changed) or a
// stream `conflict` (another client took this resource) end the session with a reason.
// Carbons (XEP-0280) are enabled at each login.
// Rooms and presence are also saved with ctx.saveState, so a reopen after a thread crash
// (ctx.restored) rejoins them; with each room, the last messages seen there, so that every rejoin
// asks only for the history after them (history.ts).
import { connectionNotice } from '../../src/platform/notice.js';
import { countInboundStanzas } from './sm-acks.js';
import { historySince, restoreSeen } from './history.js';
import { backoffDelay, RetryTimer } from '../../src/platform/backoff.js';
import { client, xml } from '@xmpp/client';
import { HubError } from '../../src/errors.js';
import { AddressGuard } from '../../src/net/address-guard.js';
import type { ASActivity, PlatformSession, SessionContext, SessionModule, Verb } from '../../src/platform/types.js';
import { type Wanted, type XmppCredentials, type XmppSaved, type XmppState, Pending, remember } from './state.js';
import { guardedTransport } from './transport.js';
import { PRESENCES, type Presence, tryJid } from './translate.js';
import { onErrors } from './inbound/errors.js';
import { onInvites } from './inbound/invite.js';
import { NS_CARBONS, onMessages } from './inbound/message.js';
import { onOccupants } from './inbound/occupant.js';
import { onPresence } from './inbound/presence.js';
import { onProfiles } from './inbound/profile.js';
import { fetchRoster, onRosterPush } from './inbound/roster.js';
import { onSubject } from './inbound/subject.js';
import { onSubscriptions } from './inbound/subscription.js';
import { join, rejoin } from './verbs/join.js';
import { leave } from './verbs/leave.js';
import { makeFriend } from './verbs/make-friend.js';
import { query } from './verbs/query.js';
import { removeFriend } from './verbs/remove-friend.js';
import { requestFriend } from './verbs/request-friend.js';
import { send } from './verbs/send.js';
import { announcePresence, update } from './verbs/update.js';
import { request } from './verbs/write.js';

/** Coming online must finish well inside the job deadline (HUBGRAPH_JOB_TIMEOUT, 30 s by default). */
export const LOGIN_TIMEOUT_MS = 20_000;
/** How long the client waits for the server to open or close a stream (its default is 2 s, short on a busy machine). */
const STREAM_TIMEOUT_MS = 10_000;
const STOP_GRACE_MS = 2_000;
/** Reconnect backoff: attempt n waits between half and all of min(MAX, FIRST × 2^n). */
export const RECONNECT_FIRST_MS = 1_000;
export const RECONNECT_MAX_MS = 60_000;
/** rejoining a room after a reconnect: tries, and the first wait between them */
const REJOIN_ATTEMPTS = 4;
const REJOIN_FIRST_MS = 250;
/** tells public addresses (which need an encrypted stream) from the rest */
const PUBLIC_ONLY = new AddressGuard({ allowPrivateAddresses: false, allowedAddresses: [] });

const VERBS: Partial<Record<Verb, (state: XmppState, activity: ASActivity) => Promise<ASActivity>>> = {
  join, leave, send, update, query, requestFriend, removeFriend, makeFriend,
};

interface XmppErrorLike {
  name?: string;
  condition?: string;
  text?: string;
  message?: string;
}

export const openSession: SessionModule['openSession'] = (ctx: SessionContext): PlatformSession => {
  const creds = ctx.credentials as XmppCredentials;
  const me = tryJid(creds.userAddress);
  const domain = me?.domain ?? '';
  const host = creds.server ?? domain;
  const port = creds.port ?? 5222;
  const service = `xmpp://${host.includes(':') && !host.startsWith('[') ? `[${host}]` : host}:${port}`;
  const xmpp = client({ service, domain, username: me?.local ?? '', password: creds.password, resource: creds.resource, timeout: STREAM_TIMEOUT_MS } as never);
  countInboundStanzas(xmpp);
  // our own reconnect (backoff, rejoin, announcements), and only the guarded TCP transport
  xmpp.reconnect.stop();
  const transports = (xmpp as unknown as { transports: unknown[] }).transports;
  transports.splice(0, transports.length, guardedTransport(new AddressGuard(ctx.net)));

  const restored = ctx.restored as Partial<XmppSaved> | undefined;
  const state: XmppState = {
    ctx,
    client: xmpp,
    creds,
    bare: me?.bare().toString() ?? creds.userAddress,
    full: '',
    domain,
    online: false,
    rooms: new Map(),
    wanted: new Map(),
    roster: new Map(),
    presence: { show: 'online', status: '' },
    pending: new Pending('the XMPP server'),
    asked: new Map(),
    mucServices: new Map(),
    seen: new Map(),
  };
  for (const r of restored?.rooms ?? []) {
    if (typeof r?.jid !== 'string' || typeof r.nick !== 'string') continue;
    state.wanted.set(r.jid, { nick: r.nick, ...(typeof r.password === 'string' ? { password: r.password } : {}) });
    const seen = restoreSeen(r.seen);
    if (seen) state.seen.set(r.jid, seen);
  }
  const p = restored?.presence;
  if (p && (PRESENCES as readonly string[]).includes(p.show)) state.presence = { show: p.show as Presence, status: typeof p.status === 'string' ? p.status : '' };

  let closing = false;
  const retry = new RetryTimer(RECONNECT_FIRST_MS, RECONNECT_MAX_MS);
  let lastError: XmppErrorLike | undefined;
  /** when the connection was last lost: the history a rejoined room sends, when nothing was seen there (history.ts) */
  let lostAt: Date | undefined;

  /** the server's stream error, when it sent one: the reason a connection ended, over the socket error that follows it */
  let streamError: XmppErrorLike | undefined;
  xmpp.on('error', (err: XmppErrorLike) => {
    lastError = err;
    if (err?.name === 'StreamError') streamError = err;
  });
  for (const register of [onErrors, onMessages, onInvites, onSubject, onOccupants, onPresence, onProfiles, onSubscriptions, onRosterPush]) register(state);

  xmpp.on('disconnect', () => {
    if (closing || !state.online) return; // a failed attempt: its caller deals with it
    state.online = false;
    // the rooms stay as they are: a resumed stream (XEP-0198) is still in them; a fresh login clears them (settle)
    lostAt = new Date();
    const why = describe(streamError ?? lastError) ?? 'the server closed the connection';
    state.pending.rejectAll(new HubError('PLATFORM_ERROR', `the connection to ${domain} was lost: ${why}`));
    if (streamError?.condition === 'conflict') {
      // the host tells subscribers (a `disconnect` with this text) and forgets the connection
      closing = true;
      ctx.ended(`${domain} ended the stream: another client logged in as ${creds.userAddress}/${creds.resource}; not reconnecting`);
      return;
    }
    ctx.emit(status('disconnect', `the connection to ${domain} was lost: ${why}; reconnecting`));
    scheduleReconnect();
  });

  const status = (type: 'connect' | 'disconnect', content: string): ASActivity => connectionNotice(type, ctx.actor, content);

  function describe(err: XmppErrorLike | undefined): string | undefined {
    if (!err) return undefined;
    if (err.condition) return `${err.condition}${err.text ? ` (${err.text})` : ''}`;
    return err.message;
  }

  function loginError(err: unknown): HubError {
    if (err instanceof HubError) return err;
    const e = (err ?? {}) as XmppErrorLike;
    if (e.name === 'SASLError') {
      return new HubError('PLATFORM_ERROR', `${domain} refused the login of ${state.bare}: ${describe(e)}`, { condition: e.condition ?? 'failure' });
    }
    if (e.name === 'StreamError') return new HubError('PLATFORM_ERROR', `${host}:${port} ended the stream: ${describe(e)}`, { condition: e.condition });
    if (e.name === 'StanzaError') return new HubError('PLATFORM_ERROR', `${domain} refused to bind the resource "${creds.resource}": ${describe(e)}`, { condition: e.condition });
    if (e.name === 'TimeoutError') return new HubError('PLATFORM_ERROR', `${host}:${port} did not answer in time while logging in`);
    return new HubError('PLATFORM_ERROR', `could not connect to ${host}:${port}: ${e.message ?? String(err)}`);
  }

  /** Waits until the client is online (a fresh login) or its stream is resumed (XEP-0198). */
  function ready(): Promise<'online' | 'resumed'> {
    return new Promise((resolve, reject) => {
      const sm = xmpp.streamManagement as unknown as NodeJS.EventEmitter;
      const done = (fn: () => void) => {
        clearTimeout(timer);
        xmpp.off('online', online);
        xmpp.off('error', failed);
        xmpp.off('disconnect', closed);
        sm.off('resumed', resumed);
        fn();
      };
      const online = () => done(() => resolve('online'));
      const resumed = () => done(() => resolve('resumed'));
      const failed = (err: unknown) => done(() => reject(err));
      // a socket closed without an error (the server hung up mid-login) fails at once, not at the timeout
      const closed = () => failed(lastError ?? new Error('the server closed the connection while logging in'));
      const timer = setTimeout(() => failed(new HubError('PLATFORM_ERROR', `${host}:${port} did not bring the connection online within ${LOGIN_TIMEOUT_MS / 1000} s`)), LOGIN_TIMEOUT_MS);
      xmpp.on('online', online);
      xmpp.on('error', failed);
      xmpp.on('disconnect', closed);
      sm.on('resumed', resumed);
    });
  }

  /** A stream to a public address must be encrypted: a server that did not offer STARTTLS there
   *  (or an attacker who removed the offer) gets nothing more than the SCRAM exchange. Loopback and
   *  private addresses (reachable only with HUBGRAPH_ALLOW_PRIVATE_ADDRESSES) may stay plaintext. */
  function checkEncrypted(): void {
    if (xmpp.isSecure()) return;
    const remote = (xmpp as unknown as { socket?: { remoteAddress?: string } }).socket?.remoteAddress;
    try {
      if (remote) PUBLIC_ONLY.check(remote);
    } catch {
      return; // not a public address
    }
    throw new HubError('PLATFORM_ERROR', `${host}:${port} did not encrypt the stream (no STARTTLS offered); refusing to use it unencrypted over a public network`);
  }

  /** After a fresh login: the roster, our presence, the rooms. Refusals reach subscribers as error activities. */
  async function settle(): Promise<void> {
    state.online = true;
    state.rooms.clear();
    state.full = xmpp.jid?.toString() ?? `${state.bare}/${creds.resource}`;
    await fetchRoster(state).catch(() => undefined);
    // carbons (XEP-0280): what the account's other resources send and receive; a server without them says no
    await request(state, xml('iq', { type: 'set' }, xml('enable', { xmlns: NS_CARBONS })), 'enabling carbons').catch(() => undefined);
    await announcePresence(state).catch(() => undefined);
    if (state.presence.show === 'offline') return;
    await Promise.all([...state.wanted].map(([jid, w]) => rejoinRetrying(jid, w, historySince(state, jid, lostAt))));
  }

  /** A server just back may not serve its rooms yet: a rejoin is tried a few times, then reported. */
  async function rejoinRetrying(jid: string, w: Wanted, since: Date | undefined): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await rejoin(state, jid, w, since);
        return;
      } catch (err) {
        if (closing || !state.online) return;
        if (attempt >= REJOIN_ATTEMPTS - 1) {
          ctx.emit({ type: 'error', actor: { id: ctx.actor, type: 'person' }, target: { id: jid, type: 'room' }, object: { type: 'error', content: `could not rejoin ${jid}: ${(err as Error).message}`, verb: 'join' } });
          return;
        }
        await new Promise((r) => setTimeout(r, backoffDelay(attempt, REJOIN_FIRST_MS, RECONNECT_MAX_MS)));
      }
    }
  }

  async function shutdown(): Promise<void> {
    const stopped = xmpp.stop().then(() => true, () => false);
    const timer = new Promise<boolean>((r) => setTimeout(() => r(false), STOP_GRACE_MS).unref());
    if (!(await Promise.race([stopped, timer]))) (xmpp as unknown as { socket?: { destroy(): void } }).socket?.destroy();
  }

  function scheduleReconnect(): void {
    if (closing) return;
    retry.schedule(() => void reconnect());
  }

  async function reconnect(): Promise<void> {
    if (closing) return;
    lastError = undefined;
    streamError = undefined;
    let how: 'online' | 'resumed';
    try {
      // the timer of ready() also bounds a connect or open that never answers
      [, how] = await Promise.all([
        (async () => {
          await xmpp.connect(service);
          await xmpp.open({ domain, lang: 'en' } as never);
        })(),
        ready(),
      ]);
      checkEncrypted();
    } catch (err) {
      if (closing) return;
      const e = (err ?? {}) as XmppErrorLike;
      if (e.name === 'SASLError') {
        closing = true;
        await shutdown().catch(() => undefined);
        ctx.ended(`${loginError(err).message}; not reconnecting`);
        return;
      }
      (xmpp as unknown as { socket?: { destroy(): void } }).socket?.destroy();
      scheduleReconnect();
      return;
    }
    retry.reset();
    if (how === 'online') await settle();
    else state.online = true;
    if (!closing && state.online) ctx.emit(status('connect', how === 'resumed' ? `reconnected to ${domain} (stream resumed)` : `reconnected to ${domain}`));
  }

  return {
    async connect() {
      if (!me || me.resource) throw new HubError('BAD_USER_INPUT', `userAddress "${creds.userAddress}" must be a bare JID (name@domain)`, { field: 'credentials.userAddress' });
      if (ctx.actor !== state.bare) {
        throw new HubError('BAD_USER_INPUT', `the XMPP actor must be the bare JID of the credentials, "${state.bare}", not "${ctx.actor}"`, { field: 'actor.id' });
      }
      try {
        await Promise.all([xmpp.start(), ready()]);
        checkEncrypted();
      } catch (err) {
        closing = true;
        await shutdown().catch(() => undefined);
        throw loginError(lastError?.name === 'SASLError' ? lastError : err);
      }
      await settle();
      lastError = undefined;
      streamError = undefined;
      remember(state);
    },
    async handle(verb, activity) {
      const run = VERBS[verb];
      if (!run) throw new HubError('BAD_USER_INPUT', `the XMPP platform does not handle ${verb} on a connection`);
      return run(state, activity);
    },
    async close() {
      closing = true;
      retry.cancel();
      state.pending.rejectAll(new HubError('PLATFORM_ERROR', `the connection to ${domain} was closed`));
      state.online = false;
      await shutdown();
    },
  };
};
