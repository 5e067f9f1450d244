import { describe, expect, it } from 'vitest';
import { parseClientMessage } from '../../src/ws/voice-messages.js';

const refusal = (raw: string): { code?: string; message?: string } | undefined => {
  try {
    parseClientMessage(raw);
    return undefined;
  } catch (err) {
    const { code, message } = err as { code?: string; message?: string };
    return { code, message };
  }
};

describe('voice text frames', () => {
  it("tells vosk-server's messages apart by their key, whatever its value, config first", () => {
    expect(parseClientMessage('{"eof" : 1}')).toEqual({ kind: 'eof' });
    expect(parseClientMessage('{"eof": 0}')).toEqual({ kind: 'eof' });
    expect(parseClientMessage('{"reset" : 1}')).toEqual({ kind: 'reset' });
    expect(parseClientMessage('{"config": {"sample_rate": 16000}}')).toEqual({ kind: 'config', config: { sample_rate: 16000 } });
    expect(parseClientMessage('{"config": null, "eof": 1}')).toEqual({ kind: 'config', config: null });
    expect(parseClientMessage('{"eof": 1, "reset": 1, "type": "text"}')).toEqual({ kind: 'eof' });
  });

  it('reads a typed command, trimmed, with its optional id', () => {
    expect(parseClientMessage('{"type": "text", "text": "  what is my balance "}')).toEqual({ kind: 'text', text: 'what is my balance', commandId: undefined });
    expect(parseClientMessage('{"type": "text", "text": "hi", "commandId": "abc-DEF_123"}')).toEqual({ kind: 'text', text: 'hi', commandId: 'abc-DEF_123' });
  });

  it('refuses what is not a JSON object or not a known message', () => {
    for (const raw of ['{not json', '[1,2]', 'null', '"eof"', '3']) {
      expect(refusal(raw), raw).toEqual({ code: 'HM_ERR_VOICE_PROTOCOL', message: 'a text frame must be a JSON object' });
    }
    expect(refusal('{"hello": 1}')).toMatchObject({ code: 'HM_ERR_VOICE_PROTOCOL', message: expect.stringMatching(/unknown message/) });
    expect(refusal('{"type": "audio"}')).toMatchObject({ message: expect.stringMatching(/unknown message/) });
  });

  it('names what is wrong with a typed command', () => {
    const length = 'a text command needs "text": 1 to 500 characters';
    for (const text of [undefined, '', '   \n', 42, 'x'.repeat(501), ['hi']]) {
      expect(refusal(JSON.stringify({ type: 'text', text })), String(text)).toEqual({ code: 'HM_ERR_VOICE_PROTOCOL', message: length });
    }
    expect(refusal(JSON.stringify({ type: 'text', text: 'buy\u0000it' }))?.message).toBe('"text" must not contain NUL characters');
    for (const commandId of ['short', 'has space in it', 7, 'x'.repeat(129)]) {
      expect(refusal(JSON.stringify({ type: 'text', text: 'hi', commandId }))?.message, String(commandId)).toMatch(/"commandId" must be 8 to 128/);
    }
    // The text is looked at first, as before the id.
    expect(refusal(JSON.stringify({ type: 'text', text: '', commandId: 'bad' }))?.message).toBe(length);
  });
});
