// The link preview box: fetch on the metadata platform; title, description, image and site name.
import type { Activity } from './api.js';
import { $, fields, onSubmit, record } from './dom.js';
import type { App } from './main.js';

export function setupPreview(app: App): (a: Activity) => void {
  onSubmit('preview-form', async (form) => {
    const url = fields(form).url!;
    const result = await app.verb('fetch', { platform: 'metadata', actor: { id: url, type: 'website' } });
    const page = record(result.object?.json);
    const images = Array.isArray(page.image) ? page.image : page.image ? [page.image] : [];
    const image = record(images[0]);
    const img = $<HTMLImageElement>('preview-image');
    if (typeof image.url === 'string' && /^https?:/.test(image.url)) {
      img.src = image.url;
      img.alt = String(image.name ?? '');
      img.hidden = false;
    } else {
      img.removeAttribute('src');
      img.hidden = true;
    }
    $('preview-site').textContent = String(page.siteName ?? result.actor.name ?? '');
    $('preview-name').textContent = String(page.name ?? url);
    $('preview-summary').textContent = String(page.summary ?? '');
    const link = $<HTMLAnchorElement>('preview-link');
    const href = typeof page.url === 'string' && /^https?:/.test(page.url) ? page.url : url;
    link.href = href;
    link.textContent = href;
    $('preview').hidden = false;
  });
  return () => undefined;
}
