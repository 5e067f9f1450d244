import { announce, byId, clear, el } from './dom.js';
import { api, ApiError } from './api.js';

/** The signed-in user's own editions, grouped by chip (`GET /v1/collection`). */
export function setupCollection() {
  const status = byId('collection-status');
  const list = byId('collection-list');
  let loading = 0;

  function render(data) {
    clear(list);
    byId('collection-total').textContent = data.editions === 1 ? '1 edition' : `${data.editions} editions`;
    if (data.chips.length === 0) list.append(el('li', { class: 'hint', text: 'You don’t own any chips yet. Try saying “buy Neon Dragon”.' }));
    for (const chip of data.chips) {
      list.append(el('li', {},
        el('a', { class: 'chip-name', href: `#/chip/${encodeURIComponent(chip.chipId)}`, text: chip.name }),
        el('span', { class: 'hint', text: ` by ${chip.designerName} · ${chip.editionNumbers.length === 1 ? 'number' : 'numbers'} ${chip.editionNumbers.join(', ')}` })));
    }
  }

  async function load() {
    const ticket = ++loading;
    announce(status, 'Loading…');
    try {
      const data = await api('GET', '/v1/collection');
      if (ticket !== loading) return;
      render(data);
      announce(status, '');
    } catch (err) {
      if (ticket !== loading) return;
      announce(status, `Could not load your collection: ${err instanceof ApiError ? err.message : String(err)}`);
    }
  }

  return { load };
}
