// Runs inside a sessions-pool thread. Each task is one live platform connection that stays
// pending until it is closed. An uncaught error is pinned to the session whose async context
// threw it (AsyncLocalStorage), so one bad session does not take down its neighbours.
import { AsyncLocalStorage, AsyncResource } from 'node:async_hooks';
import { threadId } from 'node:worker_threads';
import { HubError } from '../errors.js';
import type { PlatformSession, SessionModule } from '../platform/types.js';
import type { FromSession, SessionEnd, SessionTask, ToSession } from './session-protocol.js';

interface Running {
  finish(end: SessionEnd): void;
}

const current = new AsyncLocalStorage<Running>();
const modules = new Map<string, Promise<SessionModule>>();

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

export default function hostSession(task: SessionTask): Promise<SessionEnd> {
  return new Promise<SessionEnd>((resolve) => {
    let done = false;
    let platformSession: PlatformSession | undefined;
    const post = (msg: FromSession) => { if (!done) task.port.postMessage(msg); };
    const running: Running = {
      finish(end) {
        if (done) return;
        done = true;
        task.port.close();
        if (end.reason !== 'closed' && platformSession) platformSession.close().catch(() => {});
        resolve(end);
      },
    };

    current.run(running, () => {
      const onMessage = AsyncResource.bind(async (msg: ToSession) => {
        if (msg.t === 'ping') return post({ t: 'pong', n: msg.n, threadId });
        if (!platformSession) return;
        if (msg.t === 'close') {
          await platformSession.close().catch(() => {});
          return running.finish({ reason: 'closed' });
        }
        try {
          const activity = await platformSession.handle(msg.verb, msg.activity);
          post(activity ? { t: 'res', id: msg.id, ok: true, activity } : { t: 'res', id: msg.id, ok: true });
        } catch (err) {
          post({ t: 'res', id: msg.id, ok: false, error: HubError.from(err).toJSON() });
        }
      });
      task.port.on('message', (msg: ToSession) => void onMessage(msg));

      load(task.module)
        .then(async (mod) => {
          platformSession = mod.openSession({
            actor: task.actor,
            credentials: task.credentials,
            net: task.net,
            restored: task.restored,
            saveState: (state) => post({ t: 'state', state }),
            emit: (activity) => post({ t: 'event', activity }),
            ended: (message) => running.finish({ reason: 'ended', message }),
          });
          await platformSession.connect();
          post({ t: 'ready', threadId });
        })
        .catch((err: unknown) => running.finish({ reason: 'failed', error: HubError.from(err).toJSON() }));
    });
  });
}
