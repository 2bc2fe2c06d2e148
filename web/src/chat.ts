// Renders the lines of a conversation (IRC or XMPP). Replayed lines carry a mark, so what was
// restored after a reload is visible where it sits.
import { el, time } from './dom.js';
import type { Conversation } from './store.js';

export function renderLines(list: HTMLElement, conv: Conversation | undefined): void {
  const lines = conv?.lines ?? [];
  list.replaceChildren(...lines.map((l) => {
    const li = el('li', { className: `line ${l.kind}${l.restored ? ' restored' : ''}` },
      el('time', { dateTime: l.published, textContent: time(l.published) }), ' ');
    if (l.kind === 'event') li.append(el('span', { className: 'event', textContent: l.text }));
    else if (l.kind === 'me') li.append(el('span', { className: 'text', textContent: `* ${l.from} ${l.text}` }));
    else li.append(el('b', { className: 'from', textContent: l.from }), ' ', el('span', { className: 'text', textContent: l.text }));
    if (l.restored) li.append(' ', el('span', { className: 'badge', textContent: 'restored' }));
    return li;
  }));
  list.scrollTop = list.scrollHeight;
}
