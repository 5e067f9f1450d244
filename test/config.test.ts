import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { ConfigError } from '../src/errors.js';
import { PROJECT_ROOT } from '../src/project-root.js';

// Production refuses keys and secrets that are not random-looking (all-equal bytes, one letter repeated).
const KEY = Buffer.from(Array.from({ length: 32 }, (_, i) => (i * 97 + 13) % 256)).toString('base64');
const SECRET = 'Qm7v-Lr2x_9TkWp4Zs8Nd1Hc6Jy3Fb5Ga0Ue';

describe('configuration', () => {
  it('has embedded defaults when nothing is set', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 8080, host: '127.0.0.1', databaseUrl: undefined, redisUrl: undefined, isProduction: false, confirmTimeoutS: 60 });
    expect(c.dataDir).toBe(join(PROJECT_ROOT, 'data')); // wherever the command runs from
    expect(c.speech.workers).toBeGreaterThan(0);
  });

  it('takes a relative DATA_DIR from the working directory', () => {
    expect(loadConfig({ DATA_DIR: 'somewhere' }).dataDir).toBe(resolve('somewhere'));
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

  it('runs no Wyoming server unless a port is set; it then listens on loopback by default', () => {
    expect(loadConfig({}).wyoming).toBeUndefined();
    expect(loadConfig({ WYOMING_HOST: '0.0.0.0', WYOMING_USER: 'alex' }).wyoming).toBeUndefined();
    expect(loadConfig({ WYOMING_PORT: '10300' }).wyoming).toEqual({ host: '127.0.0.1', port: 10300, user: undefined });
    expect(loadConfig({ WYOMING_PORT: '0', WYOMING_HOST: '0.0.0.0', WYOMING_USER: 'alex' }).wyoming).toEqual({ host: '0.0.0.0', port: 0, user: 'alex' });
    expect(() => loadConfig({ WYOMING_PORT: '70000' })).toThrow(/WYOMING_PORT/);
  });

  it('reads the recogniser confidence a spoken command needs, a fraction from 0 to 1', () => {
    expect(loadConfig({}).minAsrConfidence).toBe(0.3);
    expect(loadConfig({ MIN_ASR_CONFIDENCE: '0.55' }).minAsrConfidence).toBe(0.55);
    expect(() => loadConfig({ MIN_ASR_CONFIDENCE: '1.5' })).toThrow(/MIN_ASR_CONFIDENCE/);
    expect(() => loadConfig({ MIN_ASR_CONFIDENCE: 'high' })).toThrow(/MIN_ASR_CONFIDENCE/);
  });

  it("leaves out-of-grammar rejection to the speech engine's default unless a threshold or off is set", () => {
    expect(loadConfig({}).speech.verifyBelow).toBeUndefined();
    expect(loadConfig({ SPEECH_VERIFY_BELOW: '-3.5' }).speech.verifyBelow).toBe(-3.5);
    expect(loadConfig({ SPEECH_VERIFY_BELOW: 'off' }).speech.verifyBelow).toBe(false);
    expect(() => loadConfig({ SPEECH_VERIFY_BELOW: '2' })).toThrow(/SPEECH_VERIFY_BELOW/);
    expect(() => loadConfig({ SPEECH_VERIFY_BELOW: 'strict' })).toThrow(/SPEECH_VERIFY_BELOW/);
  });

  it('rejects an encryption key of the wrong length', () => {
    expect(() => loadConfig({ FIELD_ENCRYPTION_KEYS: `k1:${Buffer.alloc(31).toString('base64')}x` })).toThrow(ConfigError);
  });
});
