// Hosts persistent connections in the sessions pool and keeps them alive: a thread that dies or
// stops answering takes its sessions with it, and the supervisor tells their subscribers and
// reopens each one from stored credentials, with exponential backoff and jitter.
import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import pLimit from 'p-limit';
import { backoffDelay } from '../platform/backoff.js';
import { connectionNotice } from '../platform/notice.js';
import { HubError } from '../errors.js';
import type { Logger } from '../log.js';
import type { ASActivity, Verb } from '../platform/types.js';
import { hostedSessions, sessionRestarts } from '../metrics.js';
import type { NetPolicy } from '../net/policy.js';
import type { FromSession, SessionEnd, SessionTask, ToSession } from './session-protocol.js';

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
  port: MessagePort;
  threadId: number;
  pending: Map<number, { resolve(a: ASActivity | undefined): void; reject(e: HubError): void }>;
  closing: boolean;
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
    const { port1, port2 } = new MessageChannel();
    const task: SessionTask = {
      module: spec.module,
      platform: spec.platform,
      connKey: spec.connKey,
      actor: spec.actor,
      credentials,
      restored: this.saved.get(spec.connKey),
      net: this.opts.net,
      port: port2,
    };
    const hosted: Hosted = { spec, port: port1, threadId: -1, pending: new Map(), closing: false };
    return new Promise<void>((resolve, reject) => {
      // a platform that never says ready (a server that accepts and then says nothing) is closed
      let timedOut = false;
      const timer = setTimeout(() => {
        timedOut = true;
        port1.postMessage({ t: 'close' } satisfies ToSession);
        reject(new HubError('TIMEOUT', `the connection was not ready within ${timeoutMs} ms`));
      }, timeoutMs);
      const handle = (msg: FromSession): void => {
        switch (msg.t) {
          case 'ready':
            clearTimeout(timer);
            hosted.threadId = msg.threadId;
            this.lastPong.set(msg.threadId, Date.now());
            if (this.closeRequested.delete(spec.connKey) || this.stopped || timedOut) {
              port1.postMessage({ t: 'close' } satisfies ToSession);
              reject(new HubError('PLATFORM_ERROR', 'the connection was closed while it was opening'));
              return;
            }
            this.hosted.set(spec.connKey, hosted);
            hostedSessions.inc({ platform: spec.platform });
            resolve();
            break;
          case 'event':
            this.hooks.onEvent(spec, msg.activity);
            break;
          case 'state':
            this.saved.set(spec.connKey, msg.state);
            this.hooks.onState(spec, msg.state);
            break;
          case 'res': {
            const p = hosted.pending.get(msg.id);
            hosted.pending.delete(msg.id);
            if (msg.ok) p?.resolve(msg.activity);
            else p?.reject(HubError.from(msg.error));
            break;
          }
          case 'pong':
            this.lastPong.set(msg.threadId, Date.now());
            break;
        }
      };
      port1.on('message', handle);
      // the task's end can arrive before what the thread posted just before ending (an `error`
      // activity, then ctx.ended): take those off the port first, as settling closes it
      const drain = (): void => { for (let m = receiveMessageOnPort(port1); m; m = receiveMessageOnPort(port1)) handle(m.message as FromSession); };
      const run = this.pool.run(task, { transferList: [port2] }) as Promise<SessionEnd>;
      run.then(
        (end) => { clearTimeout(timer); drain(); this.settled(hosted, end); reject(endError(end)); },
        (err: Error) => {
          clearTimeout(timer);
          drain();
          this.settled(hosted, { reason: 'crashed', error: { code: 'PLATFORM_ERROR', message: `session thread died: ${err.message}` } });
          reject(new HubError('PLATFORM_ERROR', `session thread died: ${err.message}`));
        },
      );
    });
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
        h.pending.delete(id);
        reject(new HubError('TIMEOUT', `${verb} got no answer from the connection within ${timeoutMs} ms`));
      }, timeoutMs);
      h.pending.set(id, {
        resolve: (a) => { clearTimeout(timer); resolve(a); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      h.port.postMessage({ t: 'cmd', id, verb, activity } satisfies ToSession);
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
    h.port.postMessage({ t: 'close' } satisfies ToSession);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    for (const t of this.reopening.values()) clearTimeout(t);
    for (const key of this.hosted.keys()) this.close(key);
    await new Promise((r) => setTimeout(r, 50));
    await this.pool.destroy();
  }

  private settled(h: Hosted, end: SessionEnd): void {
    const wasHosted = this.hosted.get(h.spec.connKey) === h;
    if (wasHosted) {
      this.hosted.delete(h.spec.connKey);
      hostedSessions.dec({ platform: h.spec.platform });
    }
    for (const p of h.pending.values()) p.reject(new HubError('PLATFORM_ERROR', 'the connection ended before answering'));
    h.pending.clear();
    h.port.close();
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
    const byThread = new Map<number, Hosted>();
    for (const h of this.hosted.values()) if (!byThread.has(h.threadId)) byThread.set(h.threadId, h);
    for (const [threadId, h] of byThread) {
      const last = this.lastPong.get(threadId) ?? now;
      if (now - last > this.opts.heartbeatMs * 3) {
        const worker = this.pool.threads.find((w) => w.threadId === threadId);
        this.log.error({ threadId }, 'session thread stopped answering; terminating it');
        this.lastPong.delete(threadId);
        void worker?.terminate();
        continue;
      }
      h.port.postMessage({ t: 'ping', n: ++this.pingN } satisfies ToSession);
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

