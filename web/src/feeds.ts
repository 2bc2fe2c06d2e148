// The feed reader: fetch on the feeds platform, the items of the collection rendered as text
// (an entry's HTML content is not sanitized by the gateway, so only its plain summary is shown).
import type { Activity } from './api.js';
import { $, el, fields, onSubmit, record } from './dom.js';
import type { App } from './main.js';

export function setupFeeds(app: App): (a: Activity) => void {
  onSubmit('feeds-form', async (form) => {
    const f = fields(form);
    const extra: Record<string, unknown> = {};
    if (f.limit) extra.limit = Number(f.limit);
    const result = await app.verb('fetch', { platform: 'feeds', actor: { id: f.url!, type: 'feed' }, object: { type: 'parameters', extra } });
    const feed = record(record(result.json).actor);
    const items = record(result.object?.json).items;
    $('feed-title').textContent = String(feed.name ?? result.actor.name ?? f.url);
    $('feed-summary').textContent = String(feed.summary ?? '');
    $('feed-items').replaceChildren(...(Array.isArray(items) ? items : []).map((it) => {
      const entry = record(record(it).object);
      const title = String(entry.name ?? entry.title ?? entry.summary ?? entry.url ?? '(untitled)');
      const url = typeof entry.url === 'string' && /^https?:/.test(entry.url) ? entry.url : null;
      const heading = el('h4', {}, url ? el('a', { href: url, textContent: title, rel: 'noopener noreferrer', target: '_blank' }) : title);
      const when = String(entry.published ?? entry.updated ?? '');
      return el('li', { className: 'item' }, heading,
        when ? el('p', { className: 'when' }, el('time', { dateTime: when, textContent: new Date(when).toLocaleString() })) : '',
        entry.summary ? el('p', { textContent: String(entry.summary) }) : '');
    }));
    $('feed').hidden = false;
  });
  return () => undefined;
}
