/**
 * The regression gallery of the HTML report (pure): thumbnails of the eval images the candidate
 * newly gets wrong, then of those it fixed, each with its label and both models' predictions.
 * Thumbnails must be base64 data: URLs (see isSafeImageDataUrl); anything else is shown as a
 * blank tile, so a report can never make a network request through its gallery.
 */
import type { Gallery, GalleryItem } from '../contracts/gallery.js';
import { count } from './format.js';
import { escapeHtml, isSafeImageDataUrl } from './html-text.js';

/** Thumbnails shown per list; a report for a large eval set would otherwise run to megabytes. */
export const GALLERY_LIMIT = 60;

function tile(item: GalleryItem, kind: 'broken' | 'fixed'): string {
  const image = isSafeImageDataUrl(item.thumbnail) ? `<img src="${item.thumbnail}" alt="${escapeHtml(item.id)}">` : '<span class="no-image">no image</span>';
  const mark = (prediction: string) => (prediction === item.label ? '<span class="ok">✓</span>' : '<span class="bad">✗</span>');
  return [
    `<figure class="tile ${kind}">`,
    `<div class="thumb">${image}</div>`,
    '<figcaption>',
    `<div class="truth" title="${escapeHtml(item.label)}">label <b>${escapeHtml(item.label)}</b></div>`,
    `<div title="${escapeHtml(item.baseline)}">baseline ${mark(item.baseline)} ${escapeHtml(item.baseline)}</div>`,
    `<div title="${escapeHtml(item.candidate)}">candidate ${mark(item.candidate)} ${escapeHtml(item.candidate)}</div>`,
    `<div class="id" title="${escapeHtml(item.id)}">${escapeHtml(item.id)}</div>`,
    '</figcaption>',
    '</figure>',
  ].join('');
}

function gallerySection(heading: string, kind: 'broken' | 'fixed', items: readonly GalleryItem[], total: number | undefined, limit: number): string {
  const all = Math.max(total ?? items.length, items.length);
  const shown = items.slice(0, limit);
  const more = all - shown.length;
  const note = more > 0 ? `<p class="muted">… and ${count(more)} more not shown; report.json lists every flipped sample.</p>` : '';
  const body = shown.length === 0 ? '<p class="muted">None.</p>' : `<div class="tiles">\n${shown.map((it) => tile(it, kind)).join('\n')}\n</div>`;
  return `<h3 id="gallery-${kind}">${heading} (${count(all)})</h3>\n${body}\n${note}`;
}

export function renderGallery(gallery: Gallery, limit = GALLERY_LIMIT): string {
  return [
    '<section id="gallery">',
    '<h2>Regression gallery</h2>',
    gallerySection('Newly wrong: the baseline got these right, the candidate does not', 'broken', gallery.broken, gallery.brokenTotal, limit),
    gallerySection('Fixed: the candidate gets these right, the baseline did not', 'fixed', gallery.fixed, gallery.fixedTotal, limit),
    '</section>',
  ].join('\n');
}
