// The live activity log: every activity in (the subscription), out (the input of a verb) and its
// result, as raw ActivityStreams JSON, newest first.
import type { Activity, ActivityInput } from './api.js';
import { $, el } from './dom.js';

const MAX = 300;
let count = 0;

export function log(direction: 'in' | 'out' | 'result' | 'error', body: unknown, platform = ''): void {
  const list = $('log');
  const filter = $<HTMLSelectElement>('log-filter').value;
  const item = el('li', { className: `entry ${direction}` },
    el('p', { className: 'meta' }, el('span', { className: direction, textContent: direction }), ` ${new Date().toLocaleTimeString()} ${platform}`),
    el('pre', { textContent: JSON.stringify(body, null, 2) }));
  item.dataset.platform = platform;
  item.hidden = Boolean(filter && platform !== filter);
  list.prepend(item);
  while (list.children.length > MAX) list.lastElementChild!.remove();
  $('log-count').textContent = String(++count);
}

export function logActivity(direction: 'in' | 'result', a: Activity): void {
  log(direction, a.json, a.platform);
}

export function logOut(verb: string, input: ActivityInput): void {
  // what the client asked for, in ActivityStreams words (credentials never pass through here)
  log('out', { verb, ...input }, input.platform);
}

export function setupLog(): void {
  $('log-filter').addEventListener('change', () => {
    const filter = $<HTMLSelectElement>('log-filter').value;
    for (const li of $('log').children) (li as HTMLElement).hidden = Boolean(filter && (li as HTMLElement).dataset.platform !== filter);
  });
  $('log-clear').addEventListener('click', () => {
    $('log').replaceChildren();
    count = 0;
    $('log-count').textContent = '0';
  });
}
