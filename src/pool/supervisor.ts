// Hosts persistent connections in the sessions pool and keeps them alive: a thread that dies or
// stops answering takes its sessions with it, and the supervisor tells their subscribers and
// reopens each one from stored credentials, with exponential backoff and jitter.
import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import pLimit from 'p-limit';
import { backoffDelay } from '../platform/backoff.js';
import { connectionNotice } from '../platform/notice.js';
import { HubError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ASActivity, Verb } from '../platform/types.js';
import { hostedSessions, sessionRestarts } from '../metrics.js';
import type { NetPolicy } from '../net/policy.js';
import { isChannelHello, type FromSession, type SessionEnd, type SessionTask, type ToSession } from './session-protocol.js';

export interface HostSpec {
  connKey: string;
  platform: string;
  module: string;
  actor: string;
}

export interface SupervisorHooks {
  /** an inbound activity of a connection (including the supervisor's own connect/disconnect notices) */
  onEvent(spec: HostSpec, activity: ASActivity): void;
  /** credentials to reopen a connection; undefined when no attached session is left */
  reloadCredentials(spec: HostSpec): Promise<unknown>;
  /** the connection is gone for good (closed, given up, or nobody left to reopen it for) */
  onGone(spec: HostSpec): void;
  /** the connection saved its state (kept where another worker can find it) */
  onState(spec: HostSpec, state: unknown): void;
}

interface Hosted {
  spec: HostSpec;
  /** the supervisor's number for this hosting (session-protocol.ts) */
  sid: number;
  /** the thread it runs on, once it has started (-1 before) */
  threadId: number;
  /** commands waiting for an answer (made on the first) */
  pending?: Map<number, { resolve(a: ASActivity | undefined): void; reject(e: HubError): void }>;
  closing: boolean;
  /** a close asked for before the session had started on a thread: sent when it has */
  closeUnsent?: boolean;
  /** until the platform says ready (or the open fails or times out) */
  opening?: { resolve(): void; reject(e: HubError): void; timer: NodeJS.Timeout };
}

const FIRST_BACKOFF_MS = 250;
const MAX_BACKOFF_MS = 30_000;
const ADOPT_SPREAD_MS = 500;
/** reopens in flight at once per worker: a server that comes back, or a worker's thousand connections
 *  taken over, is dialled at this pace rather than all at once (ngircd listens with a backlog of 10) */
const REOPENS_AT_ONCE = 20;
const SESSION_THREAD_YOUNG_MB = 8;

export class Supervisor {
  readonly pool: Piscina;
  private readonly hosted = new Map<string, Hosted>();
  private readonly reopening = new Map<string, NodeJS.Timeout>();
  private readonly opening = new Map<string, Promise<void>>();
  /** state each connection saved, handed back when it is reopened after a crash */
  private readonly saved = new Map<string, unknown>();
  /** close() arrived while the key was opening */
  private readonly closeRequested = new Set<string>();
  /** every session task not yet settled, by its number, opening ones included */
  private readonly sessions = new Map<number, Hosted>();
  /** each thread's channel (session-protocol.ts), by threadId */
  private readonly channels = new Map<number, MessagePort>();
  private nextSid = 1;
  private nextCmd = 1;
  private pingN = 0;
  private readonly lastPong = new Map<number, number>();
  private heartbeat: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly reopenGate = pLimit(REOPENS_AT_ONCE);

  constructor(
    private readonly hooks: SupervisorHooks,
    private readonly log: Logger,
    private readonly opts: { threads: number; net: NetPolicy; heartbeatMs: number; openTimeoutMs: number },
  ) {
    this.pool = new Piscina({
      filename: new URL('./session-thread.js', import.meta.url).href,
      minThreads: opts.threads,
      maxThreads: opts.threads,
      concurrentTasksPerWorker: 100_000,
      idleTimeout: Infinity,
      atomics: 'disabled',
      maxQueue: Infinity,
      // a small young generation: thousands of connections allocate steadily (every line parsed),
      // and V8 would otherwise grow each thread's nursery to its maximum and keep it
      resourceLimits: { maxYoungGenerationSizeMb: SESSION_THREAD_YOUNG_MB },
    });
    this.pool.on('message', (msg: unknown) => {
      if (isChannelHello(msg)) this.attach(msg.threadId, msg.port);
    });
    this.heartbeat = setInterval(() => this.checkThreads(), opts.heartbeatMs);
    this.heartbeat.unref();
  }

  has(connKey: string): boolean {
    return this.hosted.has(connKey);
  }

  /** Hosted, opening, or waiting to be reopened: this worker holds the connection in all three. */
  owns(connKey: string): boolean {
    return this.hosted.has(connKey) || this.opening.has(connKey) || this.reopening.has(connKey);
  }

  ownedKeys(): string[] {
    return [...new Set([...this.hosted.keys(), ...this.opening.keys(), ...this.reopening.keys()])];
  }

  /**
   * Opens a connection; resolves when the platform says it is usable. A second call for the same
   * key joins the open in flight (never two protocol connections for one key), and a call while a
   * reopen waits for its backoff opens at once.
   */
  open(spec: HostSpec, credentials: unknown, timeoutMs: number, restored?: unknown): Promise<void> {
    if (this.hosted.has(spec.connKey)) return Promise.resolve();
    if (restored !== undefined && !this.saved.has(spec.connKey)) this.saved.set(spec.connKey, restored);
    const inFlight = this.opening.get(spec.connKey);
    if (inFlight) return inFlight;
    const waiting = this.reopening.get(spec.connKey);
    if (waiting) {
      clearTimeout(waiting);
      this.reopening.delete(spec.connKey);
    }
    this.closeRequested.delete(spec.connKey);
    let opening = this.start(spec, credentials, timeoutMs).finally(() => this.opening.delete(spec.connKey));
    // a reopen was waiting (its subscribers were told `disconnect`): this open takes its place, and says it is back
    if (waiting) opening = opening.then(() => this.hooks.onEvent(spec, notice('connect', spec, 'connection restored')));
    this.opening.set(spec.connKey, opening);
    return opening;
  }

  private start(spec: HostSpec, credentials: unknown, timeoutMs: number): Promise<void> {
    const sid = this.nextSid++;
    const task: SessionTask = {
      sid,
      module: spec.module,
      actor: spec.actor,
      credentials,
      restored: this.saved.get(spec.connKey),
      net: this.opts.net,
    };
    return new Promise<void>((resolve, reject) => {
      const hosted: Hosted = { spec, sid, threadId: -1, closing: false };
      // a platform that never says ready (a server that accepts and then says nothing) is closed
      const timer = setTimeout(() => {
        hosted.opening = undefined;
        this.post(hosted, { t: 'close', sid });
        reject(new HubError('TIMEOUT', `the connection was not ready within ${timeoutMs} ms`));
      }, timeoutMs);
      hosted.opening = { resolve, reject, timer };
      this.sessions.set(sid, hosted);
      const run = this.pool.run(task) as Promise<SessionEnd>;
      run.then(
        (end) => this.settled(hosted, end),
        (err: Error) => this.settled(hosted, { reason: 'crashed', error: { code: 'PLATFORM_ERROR', message: `session thread died: ${err.message}` } }, err),
      );
    });
  }

  /** A message from a thread's channel. */
  private receive(threadId: number, msg: FromSession): void {
    if (msg.t === 'pong') {
      this.lastPong.set(msg.threadId, Date.now());
      return;
    }
    const h = this.sessions.get(msg.sid);
    if (!h) return;
    switch (msg.t) {
      case 'start':
        h.threadId = threadId;
        if (h.closeUnsent) this.post(h, { t: 'close', sid: h.sid });
        break;
      case 'ready': {
        const opening = h.opening;
        if (!opening) {
          // the open timed out meanwhile: its close is on its way
          return;
        }
        clearTimeout(opening.timer);
        h.opening = undefined;
        if (this.closeRequested.delete(h.spec.connKey) || this.stopped) {
          this.post(h, { t: 'close', sid: h.sid });
          opening.reject(new HubError('PLATFORM_ERROR', 'the connection was closed while it was opening'));
          return;
        }
        this.hosted.set(h.spec.connKey, h);
        hostedSessions.inc({ platform: h.spec.platform });
        opening.resolve();
        break;
      }
      case 'event':
        this.hooks.onEvent(h.spec, msg.activity);
        break;
      case 'state':
        this.saved.set(h.spec.connKey, msg.state);
        this.hooks.onState(h.spec, msg.state);
        break;
      case 'res': {
        const p = h.pending?.get(msg.id);
        if (!p) return;
        h.pending!.delete(msg.id);
        if (msg.ok) p.resolve(msg.activity);
        else p.reject(HubError.from(msg.error));
        break;
      }
    }
  }

  /** Sends to a session over its thread's channel; before the session has started on a thread, a close waits for that. */
  private post(h: Hosted, msg: ToSession): void {
    const port = this.channels.get(h.threadId);
    if (port) port.postMessage(msg);
    else if (msg.t === 'close') h.closeUnsent = true;
  }

  /** A thread's end of the channel arrived (the thread loaded). */
  private attach(threadId: number, port: MessagePort): void {
    this.channels.get(threadId)?.close();
    this.channels.set(threadId, port);
    this.lastPong.set(threadId, Date.now());
    port.on('message', (msg: FromSession) => this.receive(threadId, msg));
    port.once('close', () => {
      if (this.channels.get(threadId) === port) this.channels.delete(threadId);
      this.lastPong.delete(threadId);
    });
    // like Piscina's own port: the pool's pending tasks, not this channel, keep the process alive
    port.unref();
  }

  /** What a thread posted before a task's end reached us (an `error` activity, then ctx.ended) comes first. */
  private drain(threadId: number): void {
    const port = this.channels.get(threadId);
    if (!port) return;
    for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) this.receive(threadId, m.message as FromSession);
  }

  /**
   * Takes over a connection another worker held (it died, or stopped and handed it over): tells
   * the subscribers it was lost unless it was handed over, then reopens it in the background with
   * the usual backoff, and says `connect` when it is back.
   */
  adopt(spec: HostSpec, restored: unknown, announce: boolean): void {
    if (this.owns(spec.connKey) || this.stopped) return;
    if (restored !== undefined) this.saved.set(spec.connKey, restored);
    if (announce) this.hooks.onEvent(spec, notice('disconnect', spec, 'connection lost: the worker holding it stopped'));
    // spread over a moment, so that a worker's thousand connections do not all dial at once
    this.scheduleReopen(spec, 0, 'takeover', Math.random() * ADOPT_SPREAD_MS);
  }

  /** The same, for a command that waits on it: reopens at once and resolves when it is back. */
  async adoptNow(spec: HostSpec, credentials: unknown, restored: unknown, announce: boolean, timeoutMs: number): Promise<void> {
    if (this.hosted.has(spec.connKey)) return;
    // an open already in flight announces itself; a reopen still waiting is started now, by us
    const inFlight = this.opening.has(spec.connKey);
    const waiting = this.reopening.has(spec.connKey); // open() starts it now, and announces it
    if (!this.owns(spec.connKey) && announce) this.hooks.onEvent(spec, notice('disconnect', spec, 'connection lost: the worker holding it stopped'));
    try {
      await this.open(spec, credentials, timeoutMs, restored);
    } catch (err) {
      if (!this.owns(spec.connKey)) this.scheduleReopen(spec, 1, 'takeover');
      throw err;
    }
    if (!inFlight && !waiting) {
      sessionRestarts.inc({ platform: spec.platform, cause: 'takeover' });
      this.hooks.onEvent(spec, notice('connect', spec, 'connection restored'));
    }
  }

  /** Runs a verb on a hosted connection. */
  command(connKey: string, verb: Verb, activity: ASActivity, timeoutMs: number): Promise<ASActivity | undefined> {
    const h = this.hosted.get(connKey);
    if (!h) return Promise.reject(new HubError('PLATFORM_ERROR', 'the connection is not open on this worker'));
    const id = this.nextCmd++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        h.pending?.delete(id);
        reject(new HubError('TIMEOUT', `${verb} got no answer from the connection within ${timeoutMs} ms`));
      }, timeoutMs);
      h.pending ??= new Map();
      h.pending.set(id, {
        resolve: (a) => { clearTimeout(timer); resolve(a); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      this.post(h, { t: 'cmd', sid: h.sid, id, verb, activity });
    });
  }

  /** Closes a connection on purpose: no reconnect. An open in flight is closed once it is ready. */
  close(connKey: string): void {
    const timer = this.reopening.get(connKey);
    if (timer) { clearTimeout(timer); this.reopening.delete(connKey); }
    if (this.opening.has(connKey)) this.closeRequested.add(connKey);
    const h = this.hosted.get(connKey);
    if (!h) return;
    h.closing = true;
    this.post(h, { t: 'close', sid: h.sid });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const t of this.reopening.values()) clearTimeout(t);
    for (const key of this.hosted.keys()) this.close(key);
    await new Promise((r) => setTimeout(r, 50));
    await this.pool.destroy();
    for (const port of this.channels.values()) port.close();
    this.channels.clear();
  }

  private settled(h: Hosted, end: SessionEnd, died?: Error): void {
    // the task's end can arrive before what the thread posted just before ending (an `error`
    // activity, then ctx.ended): take those off the channel first
    this.drain(h.threadId);
    this.sessions.delete(h.sid);
    this.forget(h, end);
    const opening = h.opening;
    if (opening) {
      clearTimeout(opening.timer);
      h.opening = undefined;
      opening.reject(died ? new HubError('PLATFORM_ERROR', `session thread died: ${died.message}`) : endError(end));
    }
  }

  private forget(h: Hosted, end: SessionEnd): void {
    const wasHosted = this.hosted.get(h.spec.connKey) === h;
    if (wasHosted) {
      this.hosted.delete(h.spec.connKey);
      hostedSessions.dec({ platform: h.spec.platform });
    }
    if (h.pending) for (const p of h.pending.values()) p.reject(new HubError('PLATFORM_ERROR', 'the connection ended before answering'));
    h.pending = undefined;
    if (!wasHosted || this.stopped) return; // never became ready: the opener reports the failure
    if (h.closing || end.reason === 'closed') {
      this.gone(h.spec);
      return;
    }
    const why = end.reason === 'ended' ? end.message : end.reason === 'failed' || end.reason === 'crashed' ? end.error.message : 'unknown';
    this.log.warn({ platform: h.spec.platform, actor: h.spec.actor, reason: end.reason, why }, 'connection lost; reopening');
    this.hooks.onEvent(h.spec, notice('disconnect', h.spec, `connection lost: ${why}`));
    if (end.reason === 'ended') {
      this.gone(h.spec);
      return;
    }
    this.scheduleReopen(h.spec, 0, end.reason);
  }

  private gone(spec: HostSpec): void {
    this.saved.delete(spec.connKey);
    this.hooks.onGone(spec);
  }

  private scheduleReopen(spec: HostSpec, attempt: number, cause: string, delayMs?: number): void {
    if (this.stopped) return;
    const delay = delayMs ?? backoffDelay(attempt, FIRST_BACKOFF_MS, MAX_BACKOFF_MS);
    // the key stays in `reopening` (so its lease is renewed) until its turn at the gate comes
    const timer: NodeJS.Timeout = setTimeout(() => void this.reopenGate(async () => {
      if (this.stopped || this.reopening.get(spec.connKey) !== timer) return; // opened or closed meanwhile
      this.reopening.delete(spec.connKey);
      try {
        const credentials = await this.hooks.reloadCredentials(spec);
        if (credentials === undefined) {
          this.gone(spec);
          return;
        }
        await this.open(spec, credentials, this.opts.openTimeoutMs);
        sessionRestarts.inc({ platform: spec.platform, cause });
        this.hooks.onEvent(spec, notice('connect', spec, 'connection restored'));
      } catch (err) {
        this.log.warn({ platform: spec.platform, actor: spec.actor, attempt, err: (err as Error).message }, 'reopening failed; will retry');
        this.scheduleReopen(spec, attempt + 1, cause);
      }
    }), delay);
    this.reopening.set(spec.connKey, timer);
  }

  /** A thread that has not answered for 3 heartbeats is stuck (an endless loop): replace it. */
  private checkThreads(): void {
    const now = Date.now();
    for (const [threadId, port] of this.channels) {
      const last = this.lastPong.get(threadId) ?? now;
      if (now - last > this.opts.heartbeatMs * 3) {
        const worker = this.pool.threads.find((w) => w.threadId === threadId);
        this.log.error({ threadId }, 'session thread stopped answering; terminating it');
        this.lastPong.delete(threadId);
        void worker?.terminate();
        continue;
      }
      port.postMessage({ t: 'ping', n: ++this.pingN } satisfies ToSession);
    }
  }
}

function endError(end: SessionEnd): HubError {
  if (end.reason === 'failed' || end.reason === 'crashed') return HubError.from(end.error);
  if (end.reason === 'ended') return new HubError('PLATFORM_ERROR', end.message);
  return new HubError('PLATFORM_ERROR', 'the connection closed');
}

function notice(type: 'connect' | 'disconnect', spec: HostSpec, content: string): ASActivity {
  return connectionNotice(type, spec.actor, content, spec.platform);
}

