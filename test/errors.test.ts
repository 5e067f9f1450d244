import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Errors, HoloMeshError, toHttpBody, toWsFrame } from '../src/errors.js';

describe('error catalog', () => {
  const entries = Object.entries(Errors);

  it('has unique HM_ERR_ codes with HTTP error statuses', () => {
    const codes = entries.map(([, e]) => e.code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const [, e] of entries) {
      expect(e.code).toMatch(/^HM_ERR_[A-Z]+(_[A-Z]+)*$/);
      expect(e.statusCode).toBeGreaterThanOrEqual(400);
    }
  });

  it('documents every code in the README', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    for (const [, e] of entries) expect(readme, e.code).toContain(e.code);
  });

  it('serialises the same error for HTTP and WebSocket', () => {
    const err = Errors.SoldOut('Quantum Koi');
    expect(err).toBeInstanceOf(HoloMeshError);
    expect(toHttpBody(err)).toEqual({ error: { code: 'HM_ERR_MARKET_SOLD_OUT', message: 'Quantum Koi is sold out' } });
    expect(toWsFrame(err)).toEqual({ type: 'error', code: 'HM_ERR_MARKET_SOLD_OUT', message: 'Quantum Koi is sold out' });
  });
});
