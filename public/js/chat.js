import { byId, el, intentLabel, OUTCOME_LABELS } from './dom.js';
import { isConfirmation } from './voice-socket.js';
import { chipLink, designerLink } from './profile.js';

/**
 * The Chat view: a text box and the conversation as a list. Spoken turns of the same session
 * appear here too, marked as spoken.
 */
export function setupChat({ socket }) {
  const log = byId('chat-log');
  const empty = byId('chat-empty');
  const form = byId('chat-form');
  const input = byId('chat-input');
  const pending = new Set();

  function add(role, text, meta, extraClass = '') {
    empty.hidden = true;
    const item = el('li', { class: `msg ${role} ${extraClass}`.trim() },
      el('span', { class: 'visually-hidden', text: role === 'user' ? 'You: ' : 'Assistant: ' }),
      el('span', { class: 'msg-text', text }),
      meta ? el('span', { class: 'msg-meta', text: meta }) : null);
    log.append(item);
    item.scrollIntoView({ block: 'nearest' });
    return item;
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    send(text);
    input.value = '';
  });

  /** Sends `text` as a typed command and shows it; returns the command id (or null). */
  function send(text, meta) {
    add('user', text, meta);
    try {
      const id = socket.sendText(text);
      pending.add(id);
      return id;
    } catch (err) {
      add('assistant', err instanceof Error ? err.message : String(err), null, 'error');
      return null;
    }
  }

  return {
    send,
    showResult(result) {
      if (result.source === 'voice') add('user', result.text, 'spoken');
      pending.delete(result.commandId);
      const status = isConfirmation(result.reply) ? 'waiting for yes or no' : OUTCOME_LABELS[result.outcome] ?? null;
      const meta = [result.intent ? intentLabel(result.intent) : null, status].filter(Boolean).join(' · ');
      const item = add('assistant', result.reply?.text ?? '', meta);
      item.dataset.outcome = result.outcome ?? '';
      const links = profileLinks(result.reply?.data);
      if (links.length > 0) item.append(el('ul', { class: 'result-links', 'aria-label': 'Open a profile' }, links.map((link) => el('li', {}, link))));
    },
    showError(message) {
      if (pending.size > 0) add('assistant', message, null, 'error');
      pending.clear();
    },
  };
}

/** Links to the profiles of the chips (and their designers) an answer found, e.g. search results. */
function profileLinks(data) {
  if (!data || typeof data !== 'object') return [];
  const links = [];
  if (Array.isArray(data.chips)) {
    for (const chip of data.chips.slice(0, 10)) {
      const id = chip.id ?? chip.chipId;
      if (typeof id === 'string' && typeof chip.name === 'string') links.push(chipLink(id, chip.name));
    }
  } else if (data.chip && typeof data.chip.id === 'string' && typeof data.chip.name === 'string') {
    links.push(chipLink(data.chip.id, data.chip.name));
  }
  if (data.designer && typeof data.designer.name === 'string') links.push(designerLink(data.designer.name));
  return links;
}
