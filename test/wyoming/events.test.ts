import { describe, expect, it } from 'vitest';
import { encodeEvent, EventParser } from '../../src/wyoming/events.js';
import { AudioIntake, parseAudioFormat } from '../../src/wyoming/audio.js';
import type { HoloMeshError } from '../../src/errors.js';

describe('Wyoming event framing', () => {
  it('parses events split at every byte, merging header data with the data block', () => {
    const wire = Buffer.concat([
      Buffer.from(`${JSON.stringify({ type: 'audio-chunk', data: { rate: 16000 }, data_length: 24, payload_length: 4 })}\n`),
      Buffer.from(JSON.stringify({ width: 2, channels: 1 }).padEnd(24, ' ')),
      Buffer.from([1, 0, 255, 255]),
      encodeEvent('describe'),
      encodeEvent('transcript', { text: 'héllo' }),
    ]);
    const parser = new EventParser();
    const events = [...wire].flatMap((byte) => parser.push(Buffer.from([byte])));
    expect(events.map((e) => e.type)).toEqual(['audio-chunk', 'describe', 'transcript']);
    expect(events[0]!.data).toEqual({ rate: 16000, width: 2, channels: 1 });
    expect([...events[0]!.payload]).toEqual([1, 0, 255, 255]);
    expect(events[1]!.payload.length).toBe(0);
    expect(events[2]!.data).toEqual({ text: 'héllo' });
    expect(parser.buffered).toBe(0);
  });

  it('refuses data that is not an object and lengths over the limits', () => {
    const refuse = (line: string, limits = {}) => {
      try {
        new EventParser(limits).push(Buffer.from(line));
      } catch (err) {
        return (err as HoloMeshError).code;
      }
      return 'accepted';
    };
    expect(refuse(`{"type":"x","data_length":2}\n[]`)).toBe('HM_ERR_VOICE_PROTOCOL');
    expect(refuse(`{"type":"x","data":[1]}\n`)).toBe('HM_ERR_VOICE_PROTOCOL');
    expect(refuse(`{"type":"x","data_length":1.5}\n`)).toBe('HM_ERR_VOICE_PROTOCOL');
    expect(refuse(`{"type":"x","payload_length":101}\n`, { maxPayloadBytes: 100 })).toBe('HM_ERR_REQUEST_TOO_LARGE');
    expect(refuse(`{"type":"x","payload_length":100}\n`, { maxPayloadBytes: 100 })).toBe('accepted');
  });
});

describe('Wyoming audio intake', () => {
  it('mixes channels, resamples to the engine rate and cuts the utterance at its longest length', () => {
    const intake = new AudioIntake(parseAudioFormat({ rate: 32_000, width: 2, channels: 2 }), 16_000, 1);
    const frames = Buffer.alloc(32_000 * 4 * 2); // 2 s of stereo; only 1 s is kept
    for (let i = 0; i < 64_000; i++) {
      frames.writeInt16LE(8_000, i * 4);
      frames.writeInt16LE(-4_000, i * 4 + 2);
    }
    const out = [intake.push(frames), intake.flush()];
    expect(intake.isFull).toBe(true);
    const samples = out.flatMap((a) => [...a]);
    expect(samples.length).toBeGreaterThan(15_900);
    expect(samples.length).toBeLessThanOrEqual(16_000);
    // Mid-signal, the mix of 8000 and -4000 is 2000.
    expect(samples[8_000]).toBeCloseTo(2_000, -1);
    expect(intake.push(Buffer.alloc(400)).length).toBe(0);
  });

  it('takes 16-bit audio only, in whole frames', () => {
    expect(() => parseAudioFormat({ rate: 16_000, width: 1, channels: 1 })).toThrow(/16-bit/);
    expect(() => parseAudioFormat({ rate: 4_000, width: 2, channels: 1 })).toThrow(/rate/);
    expect(() => parseAudioFormat({ rate: 16_000, width: 2, channels: 0 })).toThrow(/channels/);
    const intake = new AudioIntake(parseAudioFormat({ rate: 16_000, width: 2, channels: 2 }), 16_000, 1);
    expect(() => intake.push(Buffer.alloc(6))).toThrow(/whole frames/);
  });
});
