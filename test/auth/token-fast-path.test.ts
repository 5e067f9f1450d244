import { createHmac, createSecretKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { describe, expect, it } from 'vitest';
import { createTokenService, verifiedClaims } from '../../src/auth/tokens.js';

const SECRET = 'a-test-secret-that-is-long-enough-for-hs256-tokens';
const KEY = createSecretKey(Buffer.from(SECRET, 'utf8'));
const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
const hs256 = (unsigned: string) => `${unsigned}.${createHmac('sha256', SECRET).update(unsigned).digest('base64url')}`;
const now = () => Math.floor(Date.now() / 1000);
const good = { sub: 'u1', username: 'alex', role: 'client', iss: 'holomesh', aud: 'holomesh-api' };

/** What jsonwebtoken says about a token with the service's options: its claims, or null. */
function byJsonwebtoken(token: string): unknown {
  try {
    return jwt.verify(token, KEY, { algorithms: ['HS256'], issuer: 'holomesh', audience: 'holomesh-api' });
  } catch {
    return null;
  }
}

describe('the fast token check accepts exactly what jsonwebtoken accepts', () => {
  it('accepts the service\'s own tokens with the same claims', () => {
    const token = createTokenService(SECRET, 300).issueAccessToken({ userId: 'u1', username: 'alex', role: 'client' });
    expect(verifiedClaims(token, KEY, now())).toEqual(byJsonwebtoken(token));
    expect(verifiedClaims(token, KEY, now())).not.toBeNull();
  });

  it('refuses what jsonwebtoken refuses, even when the HMAC matches', () => {
    const t = now();
    const header = b64({ alg: 'HS256', typ: 'JWT' });
    const cases = [
      hs256(`${header}.${b64({ ...good, exp: t - 1 })}`),
      hs256(`${header}.${b64({ ...good, exp: t })}`),
      hs256(`${header}.${b64({ ...good, exp: String(t + 60) })}`),
      hs256(`${header}.${b64({ ...good, exp: t + 60, nbf: t + 30 })}`),
      hs256(`${header}.${b64({ ...good, exp: t + 60, nbf: 'soon' })}`),
      hs256(`${header}.${b64({ ...good, exp: t + 60, aud: 'someone-else' })}`),
      hs256(`${header}.${b64({ ...good, exp: t + 60, iss: 'evil' })}`),
      hs256(`${header}.${b64({ ...good, exp: t + 60, iss: undefined })}`),
      hs256(`${b64({ alg: 'HS512', typ: 'JWT' })}.${b64({ ...good, exp: t + 60 })}`),
      hs256(`${b64({ alg: 'none' })}.${b64({ ...good, exp: t + 60 })}`),
      hs256(`${b64('not json')}.${b64({ ...good, exp: t + 60 })}`),
      hs256(`${header}.${b64('[1,2]')}`),
      hs256(`${header}.${b64('null')}`),
      `${header}.${b64({ ...good, exp: t + 60 })}.`,
      `${header}.${b64({ ...good, exp: t + 60 })}`,
      `${hs256(`${header}.${b64({ ...good, exp: t + 60 })}`)}x`,
      `${hs256(`${header}.${b64({ ...good, exp: t + 60 })}`)}.extra`,
      jwt.sign({ ...good, exp: t + 60 }, 'another-secret-that-is-long-enough-for-hs256'),
      '',
      '..',
    ];
    for (const token of cases) {
      expect(byJsonwebtoken(token), token).toBeNull();
      expect(verifiedClaims(token, KEY, t), token).toBeNull();
    }
  });

  it('accepts an audience list naming this service, as jsonwebtoken does', () => {
    const token = hs256(`${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ ...good, aud: ['other', 'holomesh-api'], exp: now() + 60 })}`);
    expect(byJsonwebtoken(token)).not.toBeNull();
    expect(verifiedClaims(token, KEY, now())).toEqual(byJsonwebtoken(token));
  });
});
