import { announce, byId, clear, el, intentLabel, outcomeBadge } from './dom.js';
import { isConfirmation } from './voice-socket.js';
import { prepareAudio, startCapture } from './microphone.js';
import { stopSpeaking } from './speech.js';

/** Elements where typing a space must keep its usual meaning. */
function isTypingTarget(target) {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  return ['INPUT', 'TEXTAREA', 'SELECT', 'BUTTON', 'A', 'SUMMARY'].includes(target.tagName) && target.id !== 'talk-button';
}

/**
 * The Talk view: push-to-talk (hold the button or the Space bar; Enter or a click without
 * holding toggles), live partial transcript, then the final transcript, intent, slots and reply.
 */
export function setupTalk({ socket, isActive }) {
  const button = byId('talk-button');
  const label = byId('talk-label');
  const state = byId('talk-state');
  const partial = byId('partial');
  const hearing = byId('hearing');
  const meter = byId('talk-meter');

  let stopCapture = null;
  let starting = null;
  let heardSomething = false;

  function setPressed(on) {
    button.setAttribute('aria-pressed', on ? 'true' : 'false');
    label.textContent = on ? 'Listening… release to send' : 'Hold to talk';
    showHearing();
  }

  /** "Hearing" and the partial transcript: while listening, and after it until the final clears it. */
  function showHearing() {
    hearing.hidden = button.getAttribute('aria-pressed') !== 'true' && !partial.textContent;
  }

  async function start() {
    if (stopCapture || starting) return;
    if (!socket.isOpen) {
      announce(state, 'Not connected to the assistant yet: wait a moment and try again.');
      return;
    }
    stopSpeaking();
    setPressed(true);
    heardSomething = false;
    partial.textContent = '';
    announce(state, 'Listening…');
    let first = true;
    starting = startCapture({
      onFrame: (buffer) => {
        if (first) {
          // When the audio began (this frame's start): lets tests and tools line up with the microphone.
          button.dataset.listeningSince = String(Date.now() - (buffer.byteLength / 2 / 16));
          first = false;
        }
        socket.sendAudio(buffer);
      },
      onLevel: (level) => { meter.style.width = `${Math.round(level * 100)}%`; },
    });
    try {
      stopCapture = await starting;
    } catch (err) {
      setPressed(false);
      announce(state, `Cannot use the microphone: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      starting = null;
    }
  }

  async function stop() {
    if (starting) await starting.catch(() => {});
    const stopping = stopCapture;
    stopCapture = null;
    setPressed(false);
    delete button.dataset.listeningSince;
    if (!stopping) return;
    await stopping();
    try {
      socket.endUtterance();
      announce(state, 'Thinking…');
    } catch (err) {
      announce(state, err instanceof Error ? err.message : String(err));
    }
  }

  const isOn = () => stopCapture !== null || starting !== null;

  // Pointer: press and hold.
  button.addEventListener('pointerdown', (event) => {
    if (event.button !== 0) return;
    event.preventDefault();
    button.setPointerCapture?.(event.pointerId);
    button.focus();
    void start();
  });
  const release = () => { if (isOn()) void stop(); };
  button.addEventListener('pointerup', release);
  button.addEventListener('pointercancel', release);
  button.addEventListener('lostpointercapture', release);
  // Keyboard Enter (and assistive tech "click"): toggle. Pointer clicks are handled above.
  button.addEventListener('click', (event) => {
    if (event.detail !== 0) return;
    if (isOn()) void stop(); else void start();
  });

  // Hold Space: on the button, or anywhere in the Talk view outside form controls.
  document.addEventListener('keydown', (event) => {
    if (event.code !== 'Space' && event.key !== ' ') return;
    if (!isActive() || isTypingTarget(event.target) || event.altKey || event.ctrlKey || event.metaKey) return;
    event.preventDefault();
    if (!event.repeat) void start();
  });
  document.addEventListener('keyup', (event) => {
    if (event.code !== 'Space' && event.key !== ' ') return;
    if (!isActive() || isTypingTarget(event.target)) return;
    event.preventDefault();
    release();
  });
  // Leaving the page while holding must not keep the microphone open.
  window.addEventListener('blur', release);
  document.addEventListener('visibilitychange', () => { if (document.hidden) release(); });

  socket.addEventListener('partial', (event) => {
    const text = event.detail.partial;
    if (text) heardSomething = true;
    if (text || !isOn()) partial.textContent = text;
    showHearing();
  });
  socket.addEventListener('empty', () => {
    if (isOn()) return;
    partial.textContent = '';
    showHearing();
    // The release's own final when the answer came while the button was held: nothing to add.
    announce(state, heardSomething ? '' : 'I did not hear anything. Hold the button while you speak.');
  });

  return {
    /** Gets the microphone pipeline ready (called when the Talk view opens). */
    prepare: prepareAudio,
    /** Shows a final result (spoken or typed) in the result card. */
    showResult(result) {
      heardSomething = true;
      partial.textContent = '';
      showHearing();
      byId('final-text').textContent = result.text || '—';
      byId('final-intent').textContent = intentLabel(result.intent);
      byId('final-intent').dataset.intent = result.intent ?? '';
      const slots = byId('final-slots');
      clear(slots);
      const entries = Object.entries(result.slots ?? {});
      if (entries.length === 0) slots.append(el('dt', { class: 'visually-hidden', text: 'Details' }), el('dd', { text: 'none' }));
      for (const [name, value] of entries) slots.append(el('dt', { text: name }), el('dd', { text: String(value) }));
      const outcome = byId('final-outcome');
      clear(outcome);
      const waiting = isConfirmation(result.reply);
      outcome.append(outcomeBadge(result.outcome, { waiting }));
      outcome.dataset.outcome = waiting ? 'waiting' : result.outcome ?? '';
      announce(byId('reply'), result.reply?.text ?? '');
      if (!isOn()) announce(state, '');
    },
    showError(message) {
      announce(state, message);
    },
    release,
  };
}
