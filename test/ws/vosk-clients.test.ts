import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { ESPEAK_MISSING, hasEspeak, synthesize } from '../helpers/audio.js';
import { float32ToPcm16 } from '../../src/speech/pcm.js';
import { writeWav } from '../../src/speech/wav.js';
import { skipWithout } from '../helpers/skip.js';

/**
 * `/v1/voice` driven the way vosk-server's own example clients drive it (websocket/test.py,
 * test_srt.py, test_alternatives.py, test_words.py and client-samples/node/test.js), unchanged:
 * no token (the operator allows anonymous transcription), their config text byte for byte, their
 * frame sizes, and their reading — one `recv()` per frame sent, so any reply too many or too few
 * shifts every later one.
 */

type Reply = Record<string, unknown>;
interface Word { word: string; start: number; end: number; conf: number }

/**
 * Spoken commands (espeak-ng) as a client's audio: 16-bit PCM at `rate`, `gapS` of silence between
 * them (each is endpointed there) and only 0.4 s after the last, which the eof result ends.
 */
function speech(rate: number, texts: string[], gapS = 1): Int16Array {
  const parts = texts.flatMap((text, i) => [synthesize(text, { sampleRate: rate, padSeconds: 0.4 }), new Float32Array(i < texts.length - 1 ? Math.round(rate * gapS) : 0)]);
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return float32ToPcm16(out);
}

const bytesOf = (pcm: Int16Array): Buffer => Buffer.from(pcm.buffer, pcm.byteOffset, pcm.byteLength);

function connect(url: string): Promise<{ socket: WebSocket; recv: () => Promise<Reply>; closed: Promise<number> }> {
  const socket = new WebSocket(url.replace(/^http/, 'ws') + '/v1/voice');
  const inbox: Reply[] = [];
  const waiting: ((r: Reply) => void)[] = [];
  socket.on('message', (data, isBinary) => {
    if (isBinary) return;
    const reply = JSON.parse(data.toString()) as Reply;
    const next = waiting.shift();
    if (next) next(reply);
    else inbox.push(reply);
  });
  const closed = new Promise<number>((resolve) => socket.once('close', resolve));
  const recv = () => new Promise<Reply>((resolve, reject) => {
    const queued = inbox.shift();
    if (queued) return resolve(queued);
    const timer = setTimeout(() => reject(new Error('no reply within 30 s')), 30_000);
    waiting.push((r) => { clearTimeout(timer); resolve(r); });
  });
  return new Promise((resolve, reject) => {
    socket.once('open', () => resolve({ socket, recv, closed }));
    socket.once('error', reject);
  });
}

/** test.py and its siblings: an optional config, then send a frame and read one reply, then eof and read one. */
async function lockStep(url: string, config: string | null, audio: Uint8Array, frameBytes: number) {
  const { socket, recv, closed } = await connect(url);
  if (config !== null) socket.send(config);
  const replies: Reply[] = [];
  let frames = 0;
  for (let i = 0; i < audio.length; i += frameBytes) {
    socket.send(audio.subarray(i, i + frameBytes));
    frames += 1;
    replies.push(await recv());
  }
  socket.send('{"eof" : 1}');
  replies.push(await recv());
  const code = await closed;
  return { replies, frames, code };
}

const finals = (replies: Reply[]) => replies.filter((r) => !('partial' in r));
const errors = (replies: Reply[]) => replies.filter((r) => r.type === 'error');

describe.skipIf(skipWithout(!hasEspeak && ESPEAK_MISSING))(`vosk-server example clients${hasEspeak ? '' : ` (${ESPEAK_MISSING})`}`, { timeout: 120_000 }, () => {
  let t: TestApp;
  let url: string;
  beforeAll(async () => {
    t = await createTestApp({ ALLOW_ANONYMOUS_TRANSCRIBE: 'true' }, { speech: true, speechWorkers: 1 });
    url = await t.app.listen({ host: '127.0.0.1', port: 0 });
  }, 120_000);
  afterAll(async () => { await t?.close(); });

  it('test.py: its config, 0.2 s frames of a 16 kHz WAV, one reply each, then the eof result', async () => {
    const rate = 16_000;
    const { replies, frames, code } = await lockStep(url, `{ "config" : { "sample_rate" : ${rate} } }`, bytesOf(speech(rate, ['what is my balance'])), rate * 0.2 * 2);
    expect(errors(replies)).toEqual([]);
    expect(replies).toHaveLength(frames + 1);
    expect(replies.slice(0, frames).every((r) => typeof r.partial === 'string' || typeof r.text === 'string')).toBe(true);
    expect(finals(replies).map((r) => r.text)).toContain('what is my balance');
    expect(typeof replies.at(-1)!.text).toBe('string');
    expect(code).toBe(1000);
  });

  it('test_srt.py: no config, a whole 8 kHz WAV file in 8000-byte reads, subtitles from the word times', async () => {
    const rate = 8_000;
    const file = writeWav(speech(rate, ['what is my balance', 'show my last five commands']), rate);
    const { replies, frames } = await lockStep(url, null, file, 8_000);
    expect(errors(replies)).toEqual([]);
    expect(replies).toHaveLength(frames + 1);
    // What the script turns into subtitle lines: every reply with a `result` (those of the two
    // commands; whether the silence after them yields an empty result is the endpointer's concern).
    const words = finals(replies).filter((r) => r.text !== '').slice(0, 2).flatMap((r) => (Array.isArray(r.result) ? (r.result as Word[]) : []));
    expect(words.map((w) => w.word).join(' ')).toBe('what is my balance show my last five commands');
    for (const w of words) {
      expect(w.end).toBeGreaterThan(w.start);
      expect(w.conf).toBeGreaterThan(0);
    }
    // Times run on across utterances, as in vosk: the second command starts after the first ends,
    // where it is in the file (0.4 s + "what is my balance" + 0.4 s + 1 s of silence + 0.4 s in).
    for (let i = 1; i < words.length; i++) expect(words[i]!.start).toBeGreaterThanOrEqual(words[i - 1]!.end - 0.05);
    const firstLength = synthesize('what is my balance', { sampleRate: rate, padSeconds: 0.4 }).length / rate;
    expect(words[4]!.start).toBeGreaterThan(firstLength + 1);
    expect(words[0]!.start).toBeLessThan(1);
  });

  it('test_alternatives.py: max_alternatives 20 is accepted without a reply of its own; results carry alternatives', async () => {
    const rate = 16_000;
    const { replies, frames } = await lockStep(url, `{"config" : { "max_alternatives" : 20, "sample_rate" : ${rate} } }`, bytesOf(speech(rate, ['what is my balance'])), rate * 0.2 * 2);
    expect(errors(replies)).toEqual([]);
    expect(replies).toHaveLength(frames + 1);
    const withAlternatives = finals(replies).map((r) => r.alternatives as { text: string; confidence: number }[]);
    expect(withAlternatives.every((a) => Array.isArray(a) && a.length >= 1 && a.length <= 10)).toBe(true);
    expect(withAlternatives.map((a) => a[0]!.text)).toContain('what is my balance');
    expect(withAlternatives.flat().every((a) => typeof a.text === 'string' && typeof a.confidence === 'number')).toBe(true);
  });

  it('test_words.py: a phrase list of digit words, words off; the finals carry the digits in any order', async () => {
    const rate = 16_000;
    const config = `{"config" : 
                    { "phrase_list" : ["zero one two three four five six seven eight nine oh"],
                      "sample_rate" : 16000.0,
                      "words" : 0}}`;
    const { replies, frames } = await lockStep(url, config, bytesOf(speech(rate, ['nine oh two one', 'five five six'])), 4_000 * 2);
    expect(errors(replies)).toEqual([]);
    expect(replies).toHaveLength(frames + 1);
    const heard = finals(replies).map((r) => r.text).filter((text) => text !== '');
    expect(heard.slice(0, 2)).toEqual(['nine oh two one', 'five five six']);
    expect(finals(replies).some((r) => 'result' in r)).toBe(false);
  });

  it('test.js: no config, an 8 kHz WAV streamed in 64 KiB chunks without waiting, printing replies until close', async () => {
    const rate = 8_000;
    // The endpoint is looked for once per frame, as vosk does: the gap puts the second command
    // in the second 4 s chunk.
    const file = writeWav(speech(rate, ['what is my balance', 'show my last five commands'], 2.5), rate);
    const chunkBytes = 64 * 1024; // fs.createReadStream's default chunk
    const socket = new WebSocket(url.replace(/^http/, 'ws') + '/v1/voice');
    const replies: Reply[] = [];
    socket.on('message', (data) => replies.push(JSON.parse(data.toString()) as Reply));
    const closed = new Promise<number>((resolve) => socket.once('close', resolve));
    await new Promise((resolve) => socket.once('open', resolve));
    let chunks = 0;
    for (let i = 0; i < file.length; i += chunkBytes) {
      socket.send(file.subarray(i, i + chunkBytes));
      chunks += 1;
    }
    socket.send('{"eof" : 1}');
    expect(await closed).toBe(1000);
    expect(chunks).toBeGreaterThan(1);
    expect(errors(replies)).toEqual([]);
    expect(replies).toHaveLength(chunks + 1);
    const heard = finals(replies).map((r) => r.text).filter((text) => text !== '');
    expect(heard.slice(0, 2)).toEqual(['what is my balance', 'show my last five commands']);
  });
});
