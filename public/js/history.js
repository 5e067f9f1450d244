import { announce, byId, clear, el, intentLabel, outcomeBadge } from './dom.js';
import { api, ApiError } from './api.js';
import { designerLink } from './profile.js';

/** The intents of intents/marketplace.yaml, for the filter. */
const INTENTS = [
  'BuyChip', 'CheckBalance', 'CommandHistory', 'ListSubscriptions', 'RateDesigner', 'ReadNotifications',
  'SalesSummary', 'SearchChips', 'SetAutoBuy', 'SetFavoriteDesigner', 'SubscribeDesigner', 'UnsubscribeDesigner',
  'WhatsNew', 'Confirm', 'Deny', 'Cancel', 'Help',
  // collections, profiles, verification, earnings
  'MyCollection', 'ChipInfo', 'DesignerInfo', 'VerifyChip', 'Earnings',
];
const PAGE_SIZE = 20;

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** `YYYY-MM-DD` from a date input → the start (or the end) of that local day, ISO. */
function dayBound(value, end) {
  if (!value) return undefined;
  const [y, m, d] = value.split('-').map(Number);
  const at = end ? new Date(y, m - 1, d + 1) : new Date(y, m - 1, d);
  return at.toISOString();
}

/**
 * The History view: the user's command log, filtered (dates, intent, outcome, words), paginated
 * with the API's cursor; each row can be said again as a text command.
 */
export function setupHistory({ sayAgain }) {
  const form = byId('history-filters');
  const rows = byId('history-rows');
  const status = byId('history-status');
  const newer = byId('history-newer');
  const older = byId('history-older');
  const pageLabel = byId('history-page');
  const intentSelect = byId('filter-intent');
  for (const intent of INTENTS) intentSelect.append(el('option', { value: intent, text: intentLabel(intent) }));

  /** Cursors of the pages before the current one (the first page has none). */
  let cursors = [];
  let cursor = null;
  let nextCursor = null;
  let loading = 0;

  function query() {
    const data = new FormData(form);
    const params = new URLSearchParams({ limit: String(PAGE_SIZE) });
    const from = dayBound(String(data.get('from') ?? ''), false);
    const to = dayBound(String(data.get('to') ?? ''), true);
    if (from) params.set('from', from);
    if (to) params.set('to', to);
    for (const key of ['intent', 'outcome', 'q']) {
      const value = String(data.get(key) ?? '').trim();
      if (value) params.set(key, value);
    }
    if (cursor) params.set('cursor', cursor);
    return params;
  }

  function row(item) {
    const when = new Date(item.createdAt);
    const again = el('button', {
      type: 'button',
      text: 'Say it again',
      'aria-label': `Say it again: ${item.transcript}`,
      onclick: () => sayAgain(item.transcript),
    });
    const notUnderstood = item.outcome === 'not_understood';
    return el('tr', { class: notUnderstood ? 'not-understood' : undefined, dataset: { outcome: item.outcome, intent: item.intent ?? '' } },
      el('td', { 'data-label': 'When' }, el('time', { datetime: item.createdAt, text: dateTime.format(when) })),
      el('td', { class: 'transcript', 'data-label': 'Said' },
        el('span', { class: 'transcript-text', text: item.transcript }),
        el('span', { class: 'visually-hidden', text: item.source === 'voice' ? ' (spoken)' : ' (typed)' }),
        el('span', { class: 'reply-text', text: item.replyText })),
      el('td', { class: 'intent', 'data-label': 'Intent' }, intentLabel(item.intent),
        // The designer a command named opens their profile ("favorite" is not a name).
        typeof item.slots?.designer === 'string' && item.slots.designer !== 'favorite' ? [' · ', designerLink(item.slots.designer)] : null),
      el('td', { 'data-label': 'Outcome' }, outcomeBadge(item.outcome)),
      el('td', { class: 'num', 'data-label': 'Latency', text: `${item.latencyMs} ms` }),
      el('td', {}, item.transcript ? again : null));
  }

  async function load() {
    const ticket = ++loading;
    announce(status, 'Loading…');
    try {
      const page = await api('GET', `/v1/history?${query()}`);
      if (ticket !== loading) return;
      clear(rows);
      for (const item of page.items) rows.append(row(item));
      nextCursor = page.nextCursor;
      older.disabled = !nextCursor;
      newer.disabled = cursors.length === 0;
      pageLabel.textContent = `Page ${cursors.length + 1}`;
      const n = page.items.length;
      announce(status, n === 0 ? 'No commands match.' : `${n} ${n === 1 ? 'command' : 'commands'} shown.`);
    } catch (err) {
      if (ticket !== loading) return;
      announce(status, `Could not load the history: ${err instanceof ApiError ? err.message : String(err)}`);
    }
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    cursors = [];
    cursor = null;
    void load();
  });
  form.addEventListener('reset', () => {
    cursors = [];
    cursor = null;
    setTimeout(() => void load(), 0); // after the browser has cleared the fields
  });
  older.addEventListener('click', () => {
    if (!nextCursor) return;
    cursors.push(cursor);
    cursor = nextCursor;
    void load();
  });
  newer.addEventListener('click', () => {
    if (cursors.length === 0) return;
    cursor = cursors.pop();
    void load();
  });

  return {
    load,
    showStatus(text) {
      announce(status, text);
    },
  };
}
