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
