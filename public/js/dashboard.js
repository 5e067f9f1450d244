import { announce, byId, clear, el, formatDay } from './dom.js';
import { api, ApiError } from './api.js';
import { drawSalesChart } from './chart.js';
import { speak } from './speech.js';
import { chipLink, designerLink } from './profile.js';

/**
 * What "Read my summary" says: the figures the dashboard shows, for the period it shows
 * (`Last 30 days: …`), so what is heard always matches what is on the screen. The assistant's
 * own summaries are of calendar periods ("this week"), which the rolling periods here are not.
 */
export function summaryText(periodName, data) {
  const { units, revenue, newSubscribers } = data.totals;
  const subscribers = `${newSubscribers} new ${newSubscribers === 1 ? 'subscriber' : 'subscribers'}`;
  if (units === 0) return `${periodName}: no sales, ${subscribers}.`;
  const best = data.topChips[0];
  return `${periodName}: ${units} ${units === 1 ? 'chip' : 'chips'} sold for ${revenue} credits, ${subscribers}.`
    + (best ? ` Best seller: ${best.name}, ${best.units} sold.` : '');
}

/**
 * The designer dashboard: sales per day as a chart (and a table), totals, top chips, and
 * "read my summary", which reads the shown period's figures aloud.
 */
export function setupDashboard() {
  const status = byId('dashboard-status');
  const daysSelect = byId('dashboard-days');
  const reply = byId('summary-reply');
  let loading = 0;
  let shown = null;

  function total(name, value) {
    return el('li', {}, el('span', { class: 'value', text: String(value) }), el('span', { class: 'name', text: name }));
  }

  function render(data) {
    const name = byId('dashboard-designer');
    clear(name);
    name.append(designerLink(data.designer.displayName));
    const totals = byId('dashboard-totals');
    clear(totals);
    totals.append(
      total('units sold', data.totals.units),
      total('credits earned', data.totals.revenue),
      total('new subscribers', data.totals.newSubscribers),
      total('subscribers in all', data.subscribers),
    );
    byId('chart-caption').textContent = `Sales per day, last ${data.days} days`;
    drawSalesChart(byId('sales-chart'), data.sales, { title: `Revenue and units per day, last ${data.days} days` });
    const body = byId('sales-table').tBodies[0];
    clear(body);
    for (const day of [...data.sales].reverse()) {
      body.append(el('tr', {},
        el('th', { scope: 'row', text: formatDay(day.date) }),
        el('td', { class: 'num', text: String(day.units) }),
        el('td', { class: 'num', text: String(day.revenue) }),
        el('td', { class: 'num', text: String(day.newSubscribers) })));
    }
    const top = byId('top-chips');
    clear(top);
    if (data.topChips.length === 0) top.append(el('li', { class: 'hint', text: 'No sales in this period yet.' }));
    for (const chip of data.topChips) {
      top.append(el('li', {},
        chipLink(chip.chipId, chip.name, { class: 'chip-name' }),
        el('span', { class: 'hint', text: `${chip.units} sold · ${chip.revenue} credits` })));
    }
  }

  const periodSelect = byId('earnings-period');
  let loadingEarnings = 0;

  function renderEarnings(data) {
    byId('earnings-total').textContent = `${data.total} credits: ${data.ownChips.credits} from your chips, ${data.collaborations.credits} as a collaborator`;
    for (const [id, part, none] of [['earnings-own', data.ownChips, 'No royalties from your own chips in this period.'], ['earnings-collaborations', data.collaborations, 'No collaboration royalties in this period.']]) {
      const list = byId(id);
      clear(list);
      if (part.chips.length === 0) list.append(el('li', { class: 'hint', text: none }));
      for (const chip of part.chips) {
        list.append(el('li', {}, chipLink(chip.chipId, chip.name, { class: 'chip-name' }),
          el('span', { class: 'hint', text: `${chip.credits} credits from ${chip.sales} ${chip.sales === 1 ? 'sale' : 'sales'}` })));
      }
    }
  }

  /** `GET /v1/designer/earnings`: the same figures as the ledger, own chips and collaborations apart. */
  async function loadEarnings() {
    const ticket = ++loadingEarnings;
    try {
      const data = await api('GET', `/v1/designer/earnings?period=${encodeURIComponent(periodSelect.value)}`);
      if (ticket === loadingEarnings) renderEarnings(data);
    } catch (err) {
      if (ticket === loadingEarnings) byId('earnings-total').textContent = `Could not load royalties: ${err instanceof ApiError ? err.message : String(err)}`;
    }
  }
  periodSelect.addEventListener('change', () => void loadEarnings());

  async function load() {
    void loadEarnings();
    const ticket = ++loading;
    announce(status, 'Loading…');
    try {
      const data = await api('GET', `/v1/designer/dashboard?days=${encodeURIComponent(daysSelect.value)}`);
      if (ticket !== loading) return;
      render(data);
      shown = { periodName: daysSelect.selectedOptions[0]?.textContent ?? `Last ${data.days} days`, data };
      announce(status, '');
    } catch (err) {
      if (ticket !== loading) return;
      announce(status, `Could not load the dashboard: ${err instanceof ApiError ? err.message : String(err)}`);
    }
  }

  daysSelect.addEventListener('change', () => {
    announce(reply, '');
    void load();
  });
  byId('read-summary').addEventListener('click', () => {
    if (!shown) {
      announce(reply, 'The figures are still loading.');
      return;
    }
    const text = summaryText(shown.periodName, shown.data);
    announce(reply, text);
    speak(text, { force: true });
  });

  return { load };
}
