import { describe, expect, it } from 'vitest';
import { AudioWindow } from '../../src/speech/audio-window.js';

const ramp = (from: number, length: number): Float32Array => Float32Array.from({ length }, (_, i) => from + i);

describe('audio window of an utterance', () => {
  it('keeps at least its capacity, dropping whole chunks from the front, and counts positions from the first sample', () => {
    const window = new AudioWindow(10);
    for (let at = 0; at < 40; at += 4) window.push(ramp(at, 4));
    expect(window.end).toBe(40);
    // 12 kept: dropping one more chunk would leave 8, under the capacity.
    expect(window.start).toBe(28);
    expect([...window.slice(0)]).toEqual([...ramp(28, 12)]);
    expect([...window.slice(33)]).toEqual([...ramp(33, 7)]);
    expect(window.slice(40)).toHaveLength(0);
    expect(window.slice(99)).toHaveLength(0);
  });

  it('ignores empty chunks', () => {
    const window = new AudioWindow(4);
    window.push(new Float32Array(0));
    window.push(ramp(0, 3));
    expect(window.chunks).toHaveLength(1);
    expect([...window.slice(1)]).toEqual([1, 2]);
  });
});
