/** Speaks replies with the browser's own speech synthesis, when there is one and it is wanted. */

const PREF_KEY = 'holomesh.speak';

export function isSpeakingWanted() {
  return localStorage.getItem(PREF_KEY) !== 'off';
}

export function setSpeakingWanted(on) {
  localStorage.setItem(PREF_KEY, on ? 'on' : 'off');
  if (!on) stopSpeaking();
}

/** Says `text` (plain text, never SSML: browsers would read the tags aloud). */
export function speak(text, { force = false } = {}) {
  if (!('speechSynthesis' in window) || !text) return;
  if (!force && !isSpeakingWanted()) return;
  window.speechSynthesis.cancel();
  const utterance = new SpeechSynthesisUtterance(text);
  utterance.lang = 'en-US';
  window.speechSynthesis.speak(utterance);
}

export function stopSpeaking() {
  if ('speechSynthesis' in window) window.speechSynthesis.cancel();
}
