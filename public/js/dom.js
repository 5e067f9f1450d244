/**
 * DOM helpers. Everything shown comes from the server or the user, so text always goes in
 * through textContent and attributes through setAttribute: never HTML strings.
 */

/** The element with `id`; throws when the page lacks it (a broken page should fail loudly). */
export function byId(id) {
  const found = document.getElementById(id);
  if (!found) throw new Error(`#${id} is missing from the page`);
  return found;
}

/**
 * Creates `<tag>` with attributes and children. `attrs.text` sets textContent, `attrs.class`
 * the class, `on*` functions become listeners; strings among children become text nodes.
 */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'text') node.textContent = String(value);
    else if (key === 'class') node.className = String(value);
    else if (key.startsWith('on') && typeof value === 'function') node.addEventListener(key.slice(2), value);
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  append(node, children);
  return node;
}

/** An SVG element (same rules as `el`). */
export function svg(tag, attrs = {}, ...children) {
  const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null) continue;
    if (key === 'text') node.textContent = String(value);
    else node.setAttribute(key, String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

const DAY_FORMAT = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });
const SHORT_DAY_FORMAT = new Intl.DateTimeFormat(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' });

/**
 * A day (`2026-12-07`, a UTC date) as History shows dates: `Dec 7, 2026` (in the browser's
 * language), or `Dec 7` with `short` (chart axes).
 */
export function formatDay(isoDay, { short = false } = {}) {
  const date = new Date(`${isoDay}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return String(isoDay);
  return (short ? SHORT_DAY_FORMAT : DAY_FORMAT).format(date);
}

/** Removes every child of `node`. */
export function clear(node) {
  node.replaceChildren();
}

/** Sets a live region's text so that screen readers announce it even when it repeats. */
export function announce(node, text) {
  if (node.textContent === text) node.textContent = '';
  node.textContent = text;
}

/** Human name of an outcome code. */
export const OUTCOME_LABELS = {
  ok: 'Done',
  rejected: 'Refused',
  not_understood: 'Not understood',
  error: 'Error',
};

/** A badge for an outcome (text, not only colour); `waiting` when the reply asks a yes or no. */
export function outcomeBadge(outcome, { waiting = false } = {}) {
  if (waiting) return el('span', { class: 'badge waiting', text: 'Waiting for yes or no' });
  const known = Object.hasOwn(OUTCOME_LABELS, outcome);
  return el('span', { class: `badge ${known ? outcome : ''}`, text: known ? OUTCOME_LABELS[outcome] : String(outcome ?? '—') });
}

/** Intents whose name does not read right split into words. */
const INTENT_LABELS = { WhatsNew: 'What’s new' };

/** Splits `SubscribeDesigner` into `Subscribe designer` for people. */
export function intentLabel(intent) {
  if (!intent) return '—';
  if (Object.hasOwn(INTENT_LABELS, intent)) return INTENT_LABELS[intent];
  const words = String(intent).replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}
