import { announce, byId, clear, el } from './dom.js';
import { api, ApiError } from './api.js';

const message = (err) => (err instanceof ApiError || err instanceof Error ? err.message : String(err));
const stars = (n) => (n === null ? 'no stars' : `${n} ${n === 1 ? 'star' : 'stars'}`);

/**
 * The Reviews view: chips recommended for the signed-in client (with the reason), a designer's
 * reviews, and writing one's own. Reviews are people's words: text only, never markup.
 */
export function setupReviews() {
  const status = byId('reviews-status');
  const lookup = byId('reviews-lookup');
  const designerInput = byId('reviews-designer');
  const summary = byId('reviews-summary');
  const list = byId('reviews-list');
  const writeForm = byId('review-form');
  const recommended = byId('recommended');
  let shown = null;

  const REASONS = {
    liked_tag: (r) => `because you like ${r.tag}`,
    subscribed: (r) => `because you follow ${r.designer}`,
    co_purchase: (r) => `collectors who own ${r.chip} bought it too`,
    asked: () => 'matches what you asked for',
    popular: () => 'selling well',
    affordable: () => 'available and in your budget',
  };

  async function loadRecommendations() {
    try {
      const data = await api('GET', '/v1/recommendations?limit=5');
      clear(recommended);
      if (data.chips.length === 0) recommended.append(el('li', { class: 'hint', text: 'Nothing to recommend right now.' }));
      for (const c of data.chips) {
        const why = Object.hasOwn(REASONS, c.reason.kind) ? REASONS[c.reason.kind](c.reason) : '';
        recommended.append(el('li', {},
          el('span', { class: 'chip-name', text: c.name }),
          el('span', { class: 'hint', text: ` by ${c.designer.name} · ${c.priceCredits} credits · ${why}` })));
      }
    } catch (err) {
      clear(recommended);
      recommended.append(el('li', { class: 'hint', text: err instanceof ApiError && err.status === 403 ? 'Recommendations are for collectors.' : `Could not load: ${message(err)}` }));
    }
  }

  async function show(designer) {
    try {
      const data = await api('GET', `/v1/designers/${encodeURIComponent(designer)}/reviews?limit=20`);
      shown = data.designer.name;
      summary.textContent = data.average === null ? `${shown}: no star ratings yet.` : `${shown}: ${data.average} stars on average from ${data.ratingCount} ${data.ratingCount === 1 ? 'rating' : 'ratings'}.`;
      clear(list);
      if (data.reviews.length === 0) list.append(el('li', { class: 'hint', text: 'No written reviews yet.' }));
      for (const r of data.reviews) {
        list.append(el('li', { class: 'review' },
          el('p', { class: 'post-meta' }, el('strong', { text: r.author }), el('span', { class: 'hint', text: ` · ${stars(r.rating)} · ${new Date(r.updatedAt).toLocaleDateString()}` })),
          el('p', { class: 'post-text', text: r.text })));
      }
      writeForm.hidden = false;
      byId('review-form-title').textContent = `Your review of ${shown}`;
      announce(status, '');
    } catch (err) {
      announce(status, err instanceof ApiError && err.status === 404 ? `No designer called ${designer}.` : `Could not load reviews: ${message(err)}`);
    }
  }

  lookup.addEventListener('submit', (event) => {
    event.preventDefault();
    const name = designerInput.value.trim();
    if (name) void show(name);
  });

  writeForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(writeForm);
    const text = String(data.get('text') ?? '').trim();
    const rating = String(data.get('rating') ?? '');
    if (!shown || !text) {
      announce(status, 'Write a few words first.');
      return;
    }
    try {
      await api('PUT', `/v1/designers/${encodeURIComponent(shown)}/review`, { text, ...(rating ? { rating: Number(rating) } : {}) });
      writeForm.reset();
      // Shown again first: showing clears the status line, and this one should stay.
      await show(shown);
      announce(status, `Your review of ${shown} is posted.`);
    } catch (err) {
      announce(status, `Could not post the review: ${message(err)}`);
    }
  });

  return {
    async load() {
      await loadRecommendations();
      if (shown) await show(shown);
    },
  };
}
