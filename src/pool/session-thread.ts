// Runs inside a sessions-pool thread. Each task is one live platform connection that stays
// pending until it is closed. An uncaught error is pinned to the session whose async context
// threw it (AsyncLocalStorage), so one bad session does not take down its neighbours.
// All the thread's sessions share one channel to the supervisor (session-protocol.ts): messages
// carry the session's number, and each one for a session is handled in that session's async
// context, as its own port's listener would have been.
import { AsyncLocalStorage } from 'node:async_hooks';
import { MessageChannel, parentPort, threadId } from 'node:worker_threads';
import { HubError } from '../errors.js';
import type { NetPolicy } from '../net/policy.js';
import type { ASActivity, PlatformSession, SessionContext, SessionModule } from '../platform/types.js';
import type { ChannelHello, FromSession, SessionEnd, SessionTask, ToSession } from './session-protocol.js';

const current = new AsyncLocalStorage<Hosted>();
const modules = new Map<string, Promise<SessionModule>>();
const sessions = new Map<number, Hosted>();

const { port1: channel, port2 } = new MessageChannel();
parentPort?.postMessage({ hubgraphSessionChannel: true, threadId, port: port2 } satisfies ChannelHello, [port2]);
channel.on('message', (msg: ToSession) => {
  if (msg.t === 'ping') {
    channel.postMessage({ t: 'pong', n: msg.n, threadId } satisfies FromSession);
    return;
  }
  const s = sessions.get(msg.sid);
  if (s) current.run(s, () => void s.receive(msg));
});

process.on('uncaughtException', (err) => {
  const owner = current.getStore();
  if (owner) {
    owner.finish({ reason: 'crashed', error: { code: 'PLATFORM_ERROR', message: `session crashed: ${err.message}` } });
    return;
  }
  // not attributable to one session: let the thread die so the supervisor restores all of them
  process.stderr.write(`hubgraph session thread ${threadId}: uncaught error outside any session: ${err.stack ?? err}\n`);
  process.exit(70);
});
process.on('unhandledRejection', (reason) => {
  process.stderr.write(`hubgraph session thread ${threadId}: unhandled rejection: ${reason instanceof Error ? reason.message : String(reason)}\n`);
});

function load(href: string): Promise<SessionModule> {
  let m = modules.get(href);
  if (!m) {
    m = import(href) as Promise<SessionModule>;
    modules.set(href, m);
  }
  return m;
}

/** Every task carries its own copy of the same policy (structured clone): sessions share one. */
let sharedNet: { json: string; net: NetPolicy } | undefined;
function netPolicy(net: NetPolicy): NetPolicy {
  const json = JSON.stringify(net);
  if (sharedNet?.json !== json) sharedNet = { json, net };
  return sharedNet.net;
}

/** One hosted connection; it is also its own SessionContext (methods, not a closure per callback). */
class Hosted implements SessionContext {
  platform: PlatformSession | undefined;
  done = false;
  /** a close that came before the platform session was made (the open timed out while the task
   *  waited for its thread): it closes as soon as it is made */
  closeEarly = false;
  readonly actor: string;
  readonly credentials: unknown;
  readonly net: NetPolicy;
  readonly restored: unknown;

  constructor(readonly sid: number, task: SessionTask, private readonly settle: (end: SessionEnd) => void) {
    this.actor = task.actor;
    this.credentials = task.credentials;
    this.net = netPolicy(task.net);
    this.restored = task.restored;
  }

  post(msg: FromSession): void {
    if (!this.done) channel.postMessage(msg);
  }

  emit(activity: ASActivity): void {
    this.post({ t: 'event', sid: this.sid, activity });
  }

  saveState(state: unknown): void {
    this.post({ t: 'state', sid: this.sid, state });
  }

  ended(message: string): void {
    this.finish({ reason: 'ended', message });
  }

  finish(end: SessionEnd): void {
    if (this.done) return;
    this.done = true;
    sessions.delete(this.sid);
    if (end.reason !== 'closed' && this.platform) this.platform.close().catch(() => {});
    this.settle(end);
  }

  async open(module: string): Promise<void> {
    try {
      const mod = await load(module);
      this.platform = mod.openSession(this);
      if (this.closeEarly) {
        await this.platform.close().catch(() => {});
        this.finish({ reason: 'closed' });
        return;
      }
      await this.platform.connect();
      this.post({ t: 'ready', sid: this.sid });
    } catch (err) {
      this.finish({ reason: 'failed', error: HubError.from(err).toJSON() });
    }
  }

  async receive(msg: Exclude<ToSession, { t: 'ping' }>): Promise<void> {
    const platform = this.platform;
    if (!platform) {
      if (msg.t === 'close') this.closeEarly = true;
      return;
    }
    if (msg.t === 'close') {
      await platform.close().catch(() => {});
      this.finish({ reason: 'closed' });
      return;
    }
    try {
      const activity = await platform.handle(msg.verb, msg.activity);
      this.post(activity ? { t: 'res', sid: this.sid, id: msg.id, ok: true, activity } : { t: 'res', sid: this.sid, id: msg.id, ok: true });
    } catch (err) {
      this.post({ t: 'res', sid: this.sid, id: msg.id, ok: false, error: HubError.from(err).toJSON() });
    }
  }
}

export default function hostSession(task: SessionTask): Promise<SessionEnd> {
  return new Promise<SessionEnd>((resolve) => {
    const s = new Hosted(task.sid, task, resolve);
    const module = task.module;
    // Piscina holds the task object until the session ends: let go of what the session does not
    // keep itself (its clone of the net policy: it uses the shared one), not a copy per session
    (task as Partial<SessionTask>).net = undefined;
    (task as Partial<SessionTask>).module = undefined;
    sessions.set(task.sid, s);
    // the supervisor learns the session's thread from this, before anything else it posts
    s.post({ t: 'start', sid: task.sid });
    current.run(s, () => void s.open(module));
  });
}
