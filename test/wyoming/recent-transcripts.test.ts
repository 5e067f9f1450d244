import { describe, expect, it } from 'vitest';
import type { Transcript } from '../../src/contracts.js';
import { RecentTranscripts } from '../../src/wyoming/recent-transcripts.js';

const heard = (text: string, confidence: number): Transcript => ({ text, source: 'voice', confidence, engine: 'soundswallower/en-us-16k' });

describe('RecentTranscripts', () => {
  it('keeps each of two identical transcripts for its own handle call, oldest first', () => {
    const recent = new RecentTranscripts();
    recent.remember(heard('yes', 0.6));
    recent.remember(heard('yes', 0.95));
    expect(recent.take('yes')).toMatchObject({ source: 'voice', confidence: 0.6 });
    expect(recent.take('yes')).toMatchObject({ source: 'voice', confidence: 0.95 });
    expect(recent.take('yes')).toMatchObject({ source: 'text', confidence: 1 });
  });

  it('forgets transcripts past their time and beyond its size, the stalest first', () => {
    let now = 0;
    const recent = new RecentTranscripts({ ttlMs: 1_000, max: 2, now: () => now });
    recent.remember(heard('yes', 0.9));
    now = 2_000;
    expect(recent.take('yes').source).toBe('text');
    recent.remember(heard('a', 0.9));
    recent.remember(heard('b', 0.9));
    recent.remember(heard('c', 0.9));
    expect(recent.take('a').source).toBe('text');
    expect(recent.take('b').source).toBe('voice');
    expect(recent.take('c').source).toBe('voice');
  });
});
