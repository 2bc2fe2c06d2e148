// The demo's entry: opens (or resumes) the session and the activities subscription as soon as the
// page loads, routes each inbound activity to its page and to the log, and restarts the
// subscription from the newest cursor when the WebSocket drops. Activities replayed by
// `activities(since:)` that this tab had not seen are counted in the "missed messages restored" marker.
import './style.css';
import { Api, ApiError, forgetSession, openOrResumeSession, sdk, VERBS, type Activity, type ActivityInput, type Verb } from './api.js';
import { $, show } from './dom.js';
import { store } from './store.js';
import { log, logActivity, logOut, setupLog } from './log.js';
import { setupIrc } from './irc.js';
import { setupXmpp } from './xmpp.js';
import { setupFeeds } from './feeds.js';
import { setupPreview } from './preview.js';

export interface App {
  api: Api;
  /** runs a verb mutation, logging what went out and what came back; errors go to the alert line */
  verb(name: Verb, input: ActivityInput): Promise<Activity>;
  alert(message: string | null): void;
  platforms: Set<string>;
}

const PAGES = ['home', 'irc', 'xmpp', 'feeds', 'preview', 'log'];

function route(): void {
  const page = location.hash.slice(1) || 'home';
  const current = PAGES.includes(page) ? page : 'home';
  for (const p of PAGES) show(`page-${p}`, p === current);
  for (const a of document.querySelectorAll<HTMLAnchorElement>('nav a')) {
    if (a.getAttribute('href') === `#${current}`) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

function setStatus(text: string): void {
  $('status').textContent = text;
}

function alertLine(message: string | null): void {
  const el = $('alert');
  el.textContent = message ?? '';
  el.hidden = !message;
}

type Handler = (a: Activity, replayed: boolean) => void;

async function start(): Promise<void> {
  window.addEventListener('hashchange', route);
  route();
  setupLog();

  let session;
  try {
    session = await openOrResumeSession();
  } catch (err) {
    setStatus(`Could not open a session: ${(err as Error).message}`);
    return;
  }
  if (!session.resumed) store.reset();
  const handlers: Handler[] = [];
  let socket = 'connecting';
  const api = new Api(session.token, (state, code) => {
    socket = state;
    if (state === 'closed' && code === 4403) {
      // the session expired while the page was open: start over with a new one
      forgetSession();
      store.reset();
      location.reload();
    }
    renderStatus();
  });
  const platforms = new Set<string>();
  const app: App = {
    api,
    platforms,
    alert: alertLine,
    async verb(name, input) {
      logOut(name, input);
      try {
        const data = (await api.mutate(VERBS[name] as typeof sdk.ConnectDocument, { input })) as unknown as Record<string, Activity>;
        const result = data[name]!;
        logActivity('result', result);
        alertLine(null);
        return result;
      } catch (err) {
        const e = err instanceof ApiError ? err : new ApiError(String(err), 'ERROR');
        log('error', { verb: name, code: e.code, message: e.message });
        alertLine(`${name} failed (${e.code}): ${e.message}`);
        throw e;
      }
    },
  };

  function renderStatus(): void {
    const live = socket === 'open' ? 'live' : socket === 'connecting' ? 'connecting…' : 'offline, reconnecting…';
    setStatus(`Session ${session!.resumed ? 'resumed' : 'opened'} · activities ${live}`);
  }
  renderStatus();

  // platforms this gateway offers, named on the first screen
  try {
    const { platforms: list } = await api.query(sdk.PlatformsDocument, {});
    for (const p of list) platforms.add(p.id);
  } catch (err) {
    alertLine(`Could not list the platforms: ${(err as Error).message}`);
  }
  for (const li of document.querySelectorAll<HTMLElement>('#platforms li')) {
    const on = platforms.has(li.dataset.platform!);
    li.classList.toggle('off', !on);
    li.querySelector('.availability')!.textContent = on ? 'available on this gateway' : 'not offered by this gateway';
  }

  handlers.push(setupIrc(app), setupXmpp(app), setupFeeds(app), setupPreview(app));

  // the subscription: from the newest cursor this tab saw, restarted after a drop
  // what this load restored (not kept: the next reload counts its own)
  let restored = 0;
  const renderRestored = () => {
    const el = $('restored');
    el.hidden = restored === 0;
    el.textContent = `${restored} missed ${restored === 1 ? 'message' : 'messages'} restored`;
  };
  renderRestored();
  let retry = 500;
  const subscribe = () => {
    const since = store.get().cursor;
    const startedAt = Date.now();
    api.activities(
      since,
      (a) => {
        retry = 500;
        const st = store.get();
        if (a.cursor && st.seen.includes(a.cursor)) return;
        // replayed: published before this subscription started, on a resumed stream
        const replayed = since !== null && Date.parse(a.published) < startedAt;
        if (replayed && a.type === 'send' && a.object?.type !== 'chat-state') {
          restored += 1;
          renderRestored();
        }
        store.update((s) => {
          if (a.cursor) {
            s.cursor = a.cursor;
            s.seen = [...s.seen.slice(-199), a.cursor];
          }
        });
        logActivity('in', a);
        for (const h of handlers) h(a, replayed);
      },
      (error) => {
        if (error) log('error', { subscription: 'activities', code: error.code, message: error.message });
        if (error?.code === 'UNAUTHENTICATED') return;
        setTimeout(subscribe, retry);
        retry = Math.min(retry * 2, 15_000);
      },
    );
  };
  subscribe();
  document.body.dataset.ready = 'true';
}

void start();
