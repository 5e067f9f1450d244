import { describe, expect, it } from 'vitest';
import { AudioInput } from '../../src/ws/audio-input.js';

const bytesOf = (...samples: number[]) => new Uint8Array(Int16Array.from(samples).buffer);

describe('voice audio input', () => {
  it('carries a sample split between frames over to the next frame and counts the seconds received', async () => {
    const input = await AudioInput.create({ engineRate: 16_000, trailingSilenceMs: 600, maxUtteranceMs: 15_000 });
    input.startUtterance(16_000);
    const bytes = bytesOf(1000, -2000, 3000);
    expect([...input.push(bytes.subarray(0, 3))]).toEqual([1000]);
    expect([...input.push(bytes.subarray(3, 4))]).toEqual([-2000]);
    expect([...input.push(bytes.subarray(4, 5))]).toEqual([]);
    expect([...input.push(bytes.subarray(5))]).toEqual([3000]);
    expect(input.receivedS).toBeCloseTo(3 / 16_000, 9);
    input.close();
  });

  it('says where the speech of every utterance began counted from that utterance, not from the connection', async () => {
    const input = await AudioInput.create({ engineRate: 16_000, trailingSilenceMs: 600, maxUtteranceMs: 15_000 });
    input.startUtterance(16_000);
    // Faint hiss, then a loud warbling tone (the level's idea of speech), in 100 ms frames as a client sends them.
    let seed = 7;
    const hiss = (seconds: number) => Int16Array.from({ length: seconds * 16_000 }, () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return Math.round((seed / 2_147_483_648 - 0.5) * 60);
    });
    const tone = (seconds: number) => Int16Array.from({ length: seconds * 16_000 }, (_, i) => Math.round(9_000 * Math.sin((2 * Math.PI * 300 * i) / 16_000) * (1 + 0.5 * Math.sin((2 * Math.PI * 4 * i) / 16_000))));
    const utterance = (...parts: Int16Array[]) => {
      let end: string | null = null;
      for (const part of parts) {
        for (let i = 0; i < part.length; i += 1_600) {
          const frame = part.slice(i, i + 1_600);
          input.push(new Uint8Array(frame.buffer));
          end = input.endpoint('') ?? end;
        }
      }
      return { end, ...input.endUtterance() };
    };
    const first = utterance(hiss(3), tone(1), hiss(1));
    expect(first.end).toBe('silence');
    expect(first.speechStartS).toBeCloseTo(3, 1);
    // The decoder starts the next utterance afresh: its final pass looks for the speech from here on.
    const second = utterance(hiss(0.5), tone(1), hiss(1));
    expect(second.end).toBe('silence');
    expect(second.speechStartS).toBeCloseTo(0.5, 1);
    input.close();
  });

  it("resamples the client's rate to the decoder's and hands back the resampler's tail when the utterance ends", async () => {
    const input = await AudioInput.create({ engineRate: 16_000, trailingSilenceMs: 600, maxUtteranceMs: 15_000 });
    input.startUtterance(8_000);
    const second = new Int16Array(8_000).map((_, i) => Math.round(8_000 * Math.sin((2 * Math.PI * 440 * i) / 8_000)));
    const out = input.push(new Uint8Array(second.buffer));
    const { tail } = input.endUtterance();
    expect(out.length + tail.length).toBe(16_000);
    expect(tail.length).toBeGreaterThan(0);
    expect(input.receivedS).toBe(1);
    input.close();
  });
});
