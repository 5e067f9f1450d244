import { clear, el, formatDay, svg } from './dom.js';

const W = 640;
const H = 260;
const PAD = { top: 16, right: 40, bottom: 34, left: 48 };

/** A rounded-up axis maximum with 4 even steps (whole-number steps: credits and units are). */
function niceMax(value) {
  if (value <= 4) return 4;
  const raw = value / 4;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw && Number.isInteger(s)) ?? Math.ceil(raw);
  return step * 4;
}

/**
 * Draws daily sales into `container` as an SVG: revenue as bars (left axis), units as a line
 * (right axis). `days` is [{date, units, revenue}] oldest first. Hand-drawn, no library: a few
 * dozen bars need none, and the page stays within its strict Content-Security-Policy.
 */
export function drawSalesChart(container, days, { title = 'Sales per day' } = {}) {
  clear(container);
  const innerW = W - PAD.left - PAD.right;
  const innerH = H - PAD.top - PAD.bottom;
  const maxRevenue = niceMax(Math.max(0, ...days.map((d) => d.revenue)));
  const maxUnits = niceMax(Math.max(0, ...days.map((d) => d.units)));
  const slot = innerW / Math.max(1, days.length);
  const barW = Math.max(2, Math.min(28, slot * 0.7));
  const x = (i) => PAD.left + slot * i + slot / 2;
  const yRevenue = (v) => PAD.top + innerH - (v / maxRevenue) * innerH;
  const yUnits = (v) => PAD.top + innerH - (v / maxUnits) * innerH;

  const totalRevenue = days.reduce((s, d) => s + d.revenue, 0);
  const totalUnits = days.reduce((s, d) => s + d.units, 0);
  const best = days.reduce((b, d) => (d.revenue > (b?.revenue ?? 0) ? d : b), null);
  const description = `${days.length} days, ${totalUnits} units and ${totalRevenue} credits in all`
    + (best ? `; best day ${formatDay(best.date)} with ${best.revenue} credits.` : '; no sales.');

  const root = svg('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-labelledby': 'chart-svg-title chart-svg-desc', 'data-testid': 'sales-chart' },
    svg('title', { id: 'chart-svg-title', text: title }),
    svg('desc', { id: 'chart-svg-desc', text: description }),
    svg('defs', {},
      svg('linearGradient', { id: 'bar-gradient', x1: 0, y1: 0, x2: 0, y2: 1 },
        svg('stop', { offset: 0, 'stop-color': '#6ee7f9' }),
        svg('stop', { offset: 1, 'stop-color': '#5b21b6' }))));

  for (let step = 0; step <= 4; step++) {
    const revenue = (maxRevenue / 4) * step;
    const y = yRevenue(revenue);
    root.append(
      svg('line', { class: step === 0 ? 'axis' : 'grid', x1: PAD.left, x2: W - PAD.right, y1: y, y2: y }),
      svg('text', { x: PAD.left - 6, y: y + 4, 'text-anchor': 'end', text: String(Math.round(revenue)) }),
      svg('text', { x: W - PAD.right + 6, y: y + 4, 'text-anchor': 'start', text: String(Math.round((maxUnits / 4) * step)) }),
    );
  }

  const labelEvery = Math.ceil(days.length / 8);
  days.forEach((d, i) => {
    const y = yRevenue(d.revenue);
    root.append(svg('rect', {
      class: 'bar', x: x(i) - barW / 2, y, width: barW, height: Math.max(0, PAD.top + innerH - y), rx: 2,
    }, svg('title', { text: `${formatDay(d.date)}: ${d.revenue} credits, ${d.units} units` })));
    // Counted from the end, so today is always labelled and the labels never collide.
    if ((days.length - 1 - i) % labelEvery === 0) {
      root.append(svg('text', { x: x(i), y: H - PAD.bottom + 16, 'text-anchor': 'middle', text: formatDay(d.date, { short: true }) }));
    }
  });

  if (days.length > 0) {
    const points = days.map((d, i) => `${x(i).toFixed(1)},${yUnits(d.units).toFixed(1)}`).join(' ');
    root.append(svg('polyline', { class: 'units-line', points }));
    days.forEach((d, i) => { if (d.units > 0) root.append(svg('circle', { class: 'units-dot', cx: x(i), cy: yUnits(d.units), r: 3 })); });
  }

  container.append(root, el('p', { class: 'legend', 'aria-hidden': 'true' },
    el('span', {}, el('span', { class: 'swatch', dataset: { series: 'revenue' } }), 'Revenue (credits, left)'),
    el('span', {}, el('span', { class: 'swatch', dataset: { series: 'units' } }), 'Units (right)')));
}
