import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { ConfigError } from '../src/errors.js';

// Production refuses keys and secrets that are not random-looking (all-equal bytes, one letter repeated).
const KEY = Buffer.from(Array.from({ length: 32 }, (_, i) => (i * 97 + 13) % 256)).toString('base64');
const SECRET = 'Qm7v-Lr2x_9TkWp4Zs8Nd1Hc6Jy3Fb5Ga0Ue';

describe('configuration', () => {
  it('has embedded defaults when nothing is set', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 8080, host: '127.0.0.1', databaseUrl: undefined, redisUrl: undefined, isProduction: false, confirmTimeoutS: 60 });
    expect(c.dataDir).toMatch(/data$/);
    expect(c.speech.workers).toBeGreaterThan(0);
  });

  it('names every bad variable in one message', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: '99999', DATABASE_URL: 'mysql://x', ASR_ENGINE: 'whisper' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(/PORT/);
    expect(message).toMatch(/DATABASE_URL/);
    expect(message).toMatch(/ASR_ENGINE/);
  });

  it('refuses production without real secrets', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/JWT_SECRET and FIELD_ENCRYPTION_KEYS/);
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'x'.repeat(40) })).toThrow(/FIELD_ENCRYPTION_KEYS/);
    expect(() => loadConfig({ NODE_ENV: 'production', JWT_SECRET: 'short', FIELD_ENCRYPTION_KEYS: `k1:${KEY}` })).toThrow(/JWT_SECRET/);
    const c = loadConfig({ NODE_ENV: 'production', JWT_SECRET: SECRET, FIELD_ENCRYPTION_KEYS: `k2:${KEY},k1:${KEY}` });
    expect(c.fieldEncryptionKeys?.map((k) => k.id)).toEqual(['k2', 'k1']);
  });

  it('rejects an encryption key of the wrong length', () => {
    expect(() => loadConfig({ FIELD_ENCRYPTION_KEYS: `k1:${Buffer.alloc(31).toString('base64')}x` })).toThrow(ConfigError);
  });
});
