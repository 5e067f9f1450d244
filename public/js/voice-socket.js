import { currentSession, refresh } from './api.js';

const SESSION_KEY = 'holomesh.dialog';
/** Close code the server uses for a missing or expired token. */
const UNAUTHORIZED = 4401;
const BACKOFF_MS = [500, 1_000, 2_000, 5_000, 10_000];

/** The dialog session id, kept for this tab so a reload continues the conversation. */
function dialogSessionId() {
  let id = sessionStorage.getItem(SESSION_KEY);
  if (!id || !/^[A-Za-z0-9_-]{8,64}$/.test(id)) {
    id = crypto.randomUUID();
    sessionStorage.setItem(SESSION_KEY, id);
  }
  return id;
}

/** A fresh id for a command (letters, digits and dashes, as the protocol wants). */
export function newCommandId() {
  return crypto.randomUUID();
}

/**
 * The `/v1/voice` WebSocket shared by Talk, Chat, History and the dashboard: one dialog session,
 * reconnected with the same `?session=` after a drop or a token refresh.
 *
 * Events (CustomEvent, payload in `detail`): `status` ('connecting' | 'open' | 'closed'),
 * `partial` ({partial}), `result` (a final spoken result or a text reply: text, intent, slots,
 * confidence, outcome, reply, sessionId, commandId, source), `empty` (an utterance with nothing
 * heard), `error` ({code, message}), `notification` ({id, kind, text}).
 */
export class VoiceSocket extends EventTarget {
  #socket = null;
  #status = 'closed';
  #wanted = false;
  #attempt = 0;
  #retryTimer = null;
  #sampleRate;

  constructor({ sampleRate = 16_000 } = {}) {
    super();
    this.#sampleRate = sampleRate;
  }

  get status() {
    return this.#status;
  }

  get sessionId() {
    return dialogSessionId();
  }

  /** Opens (or keeps open) the connection. */
  connect() {
    this.#wanted = true;
    if (this.#socket && this.#socket.readyState <= WebSocket.OPEN) return;
    const session = currentSession();
    if (!session) return;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const url = `${scheme}://${location.host}/v1/voice?session=${encodeURIComponent(this.sessionId)}`;
    // Browsers cannot set headers on a WebSocket: the token travels as the second subprotocol.
    const socket = new WebSocket(url, ['bearer', session.accessToken]);
    socket.binaryType = 'arraybuffer';
    this.#socket = socket;
    this.#setStatus('connecting');
    socket.addEventListener('open', () => {
      if (socket !== this.#socket) return;
      this.#attempt = 0;
      socket.send(JSON.stringify({ config: { sample_rate: this.#sampleRate } }));
      this.#setStatus('open');
    });
    socket.addEventListener('message', (event) => {
      if (socket === this.#socket && typeof event.data === 'string') this.#onMessage(event.data);
    });
    socket.addEventListener('close', (event) => {
      if (socket !== this.#socket) return;
      this.#socket = null;
      this.#setStatus('closed');
      if (this.#wanted) this.#reconnect(event.code);
    });
  }

  /** Closes for good (sign out). */
  disconnect() {
    this.#wanted = false;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    const socket = this.#socket;
    this.#socket = null;
    socket?.close(1000, 'bye');
    this.#setStatus('closed');
  }

  /** Starts over with a new token (after a refresh): same dialog session. */
  reconnect() {
    if (!this.#wanted) return;
    const socket = this.#socket;
    this.#socket = null;
    socket?.close(1000, 'new token');
    this.connect();
  }

  /** True when frames can be sent now. */
  get isOpen() {
    return this.#socket?.readyState === WebSocket.OPEN;
  }

  /** Sends a typed command; the answer arrives as a `result` event with the same commandId. */
  sendText(text, commandId = newCommandId()) {
    this.#send(JSON.stringify({ type: 'text', text, commandId }));
    return commandId;
  }

  /** Sends 16-bit little-endian mono PCM at the configured rate. */
  sendAudio(buffer) {
    if (this.isOpen) this.#socket.send(buffer);
  }

  /** Ends the current utterance: the server answers with the final result and stays open. */
  endUtterance() {
    this.#send('{"reset": 1}');
  }

  #send(frame) {
    if (!this.isOpen) throw new Error('not connected to the assistant: wait a moment and try again');
    this.#socket.send(frame);
  }

  #setStatus(status) {
    if (status === this.#status) return;
    this.#status = status;
    this.dispatchEvent(new CustomEvent('status', { detail: status }));
  }

  async #reconnect(code) {
    if (code === UNAUTHORIZED) {
      try {
        await refresh();
      } catch {
        return; // signed out: the app shows the sign-in form
      }
    }
    const delay = BACKOFF_MS[Math.min(this.#attempt, BACKOFF_MS.length - 1)];
    this.#attempt += 1;
    this.#retryTimer = setTimeout(() => this.connect(), code === UNAUTHORIZED ? 0 : delay);
  }

  #onMessage(raw) {
    let frame;
    try {
      frame = JSON.parse(raw);
    } catch {
      return;
    }
    if (typeof frame !== 'object' || frame === null) return;
    const emit = (type, detail) => this.dispatchEvent(new CustomEvent(type, { detail }));
    if (frame.type === 'error') return emit('error', { code: String(frame.code ?? ''), message: String(frame.message ?? '') });
    if (frame.type === 'notification') return emit('notification', frame);
    if (frame.type === 'reply') return emit('result', { ...frame, source: 'text' });
    if (typeof frame.partial === 'string') return emit('partial', { partial: frame.partial });
    if (typeof frame.text === 'string') {
      if (frame.reply) return emit('result', { ...frame, source: 'voice' });
      return emit('empty', frame);
    }
  }
}

/**
 * True when a reply waits for a yes or no. Uses `reply.expectsReply` when the server sends it;
 * otherwise recognises the assistant's confirmation questions.
 */
export function isConfirmation(reply) {
  if (!reply) return false;
  const text = String(reply.text ?? '');
  const yesNo = /\bsay yes to confirm\b|^\s*(should|shall) i\b/i.test(text) || /\b(should|shall) i\b[^?]*\?\s*$/i.test(text);
  if (typeof reply.expectsReply === 'boolean') return reply.expectsReply && yesNo;
  return yesNo;
}
