import { announce, byId, clear, el } from './dom.js';
import { api, ApiError } from './api.js';

/** A link to a chip's profile view. */
export function chipLink(id, name, attrs = {}) {
  return el('a', { ...attrs, href: `#/chip/${encodeURIComponent(id)}`, text: name });
}

/** A link to a designer's profile view. */
export function designerLink(name, attrs = {}) {
  return el('a', { ...attrs, href: `#/designer/${encodeURIComponent(name)}`, text: name });
}

const BPS = 10_000;

/**
 * The profile view: a chip (`#/chip/<id>`, from GET /v1/chips/:id) or a designer
 * (`#/designer/<name>`, from GET /v1/designers/:name). Reached from search results in the
 * conversation, the collection and the dashboard.
 */
export function setupProfile() {
  const status = byId('profile-status');
  const title = byId('profile-title');
  const body = byId('profile-body');
  let loading = 0;

  function facts(rows) {
    return el('dl', { class: 'facts' }, rows.flatMap(([term, value]) => [el('dt', { text: term }), el('dd', {}, value)]));
  }

  function renderChip(chip) {
    title.textContent = chip.name;
    const stock = chip.editionsLeft === null ? 'open edition (never sells out)'
      : chip.isSoldOut ? `sold out (all ${chip.editionSize})` : `${chip.editionsLeft} of ${chip.editionSize} left`;
    body.append(facts([
      ['Designer', designerLink(chip.designer.name)],
      ['Price', `${chip.priceCredits} credits`],
      ['Editions', stock],
      ['Royalties', el('ul', { class: 'plain' }, chip.shares.map((s) => el('li', {}, designerLink(s.name), ` ${(s.shareBps * 100) / BPS} %`)))],
      ['Tags', chip.tags.length > 0 ? chip.tags.join(', ') : '—'],
      ['Token id', el('code', { text: chip.tokenId })],
      ['Metadata hash', el('code', { class: 'hash', text: chip.metadataHash })],
      ['Published', new Date(chip.publishedAt).toLocaleString()],
    ]));
    body.append(verifyForm(chip));
  }

  /** "Verify": recomputes the chip's hash on the server and shows an edition's provenance. */
  function verifyForm(chip) {
    const result = el('p', { class: 'reply', 'aria-live': 'polite', 'aria-atomic': 'true' });
    const input = el('input', { id: 'verify-edition', type: 'number', min: '1', step: '1', inputmode: 'numeric' });
    const describe = (who) => (who.kind === 'you' ? 'you' : who.kind === 'user' ? who.username : 'a collector');
    const form = el('form', { class: 'row verify-form' },
      el('label', { for: 'verify-edition', text: 'Edition (optional)' }), input,
      el('button', { type: 'submit', class: 'primary', text: 'Verify' }));
    form.addEventListener('submit', async (event) => {
      event.preventDefault();
      announce(result, 'Checking…');
      const edition = input.value.trim();
      try {
        const v = await api('GET', `/v1/chips/${encodeURIComponent(chip.id)}/verify${edition ? `?edition=${encodeURIComponent(edition)}` : ''}`);
        const lines = [v.isAuthentic ? 'Authentic: the metadata hash recomputed from the stored metadata matches.' : 'Warning: the metadata hash does not match — do not trust this chip.'];
        if (v.edition && !v.edition.isSold) lines.push(`Number ${v.edition.number} has not been sold.`);
        if (v.edition?.isSold) {
          const p = v.edition.provenance;
          lines.push(`Number ${v.edition.number}: owned by ${describe(v.edition.owner)}, bought ${new Date(p.at).toLocaleString()} for ${p.priceCredits} credits${p.ledgerConfirmed ? ' (confirmed by the ledger)' : ' (payment missing from the ledger)'}.`);
        }
        if (v.yourEditions.length > 0) lines.push(`You own ${v.yourEditions.length === 1 ? 'number' : 'numbers'} ${v.yourEditions.join(', ')}.`);
        announce(result, lines.join(' '));
      } catch (err) {
        announce(result, `Could not verify: ${err instanceof ApiError ? err.message : String(err)}`);
      }
    });
    return el('section', { 'aria-labelledby': 'verify-title' }, el('h2', { id: 'verify-title', text: 'Verify' }), form, result);
  }

  function renderDesigner(designer) {
    title.textContent = designer.name;
    if (designer.bio) body.append(el('p', { class: 'bio', text: designer.bio }));
    body.append(facts([
      ['Rating', designer.rating.average === null ? 'no ratings yet' : `${designer.rating.average.toFixed(1)} of 5 (${designer.rating.count} ${designer.rating.count === 1 ? 'rating' : 'ratings'})`],
      ['Subscribers', String(designer.subscribers)],
      ['Portfolio', designer.portfolioUrls.length === 0 ? '—'
        // Only web links become links; the text is shown as it is.
        : el('ul', { class: 'plain' }, designer.portfolioUrls.map((url) => el('li', {}, /^https?:\/\//i.test(url) ? el('a', { href: url, rel: 'noopener noreferrer', target: '_blank', text: url }) : url)))],
    ]));
    body.append(el('h2', { text: 'Chips' }));
    const list = el('ul', { class: 'top-chips' });
    if (designer.chips.length === 0) list.append(el('li', { class: 'hint', text: 'No chips yet.' }));
    for (const chip of designer.chips) {
      const stock = chip.editionsLeft === null ? 'open edition' : chip.isSoldOut ? 'sold out' : `${chip.editionsLeft} left`;
      list.append(el('li', {}, chipLink(chip.id, chip.name, { class: 'chip-name' }),
        el('span', { class: 'hint', text: ` ${chip.priceCredits} credits · ${stock}${chip.isOwn ? '' : ' · collaboration'}` })));
    }
    body.append(list);
  }

  /** `target`: `{kind: 'chip', key: id}` or `{kind: 'designer', key: name}`. */
  async function load(target) {
    const ticket = ++loading;
    clear(body);
    title.textContent = target.kind === 'chip' ? 'Chip' : target.key;
    announce(status, 'Loading…');
    try {
      const path = target.kind === 'chip' ? `/v1/chips/${encodeURIComponent(target.key)}` : `/v1/designers/${encodeURIComponent(target.key)}`;
      const data = await api('GET', path);
      if (ticket !== loading) return;
      if (target.kind === 'chip') renderChip(data);
      else renderDesigner(data);
      announce(status, '');
    } catch (err) {
      if (ticket !== loading) return;
      announce(status, err instanceof ApiError && err.status === 404 ? 'Not found.' : `Could not load the profile: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  return { load };
}
