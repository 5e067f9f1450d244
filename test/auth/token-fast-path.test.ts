import { createHmac, createSecretKey } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTokenService } from '../../src/auth/tokens.js';

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

const service = createTokenService(SECRET, 300);

/** What the service's check (fast-jwt, with its cache) says: the principal it reads, or null. */
function byService(token: string): unknown {
  try {
    return service.verifyAccessToken(token);
  } catch (err) {
    expect(err).toMatchObject({ code: 'HM_ERR_AUTH_REQUIRED' });
    return null;
  }
}

/** The principal the service reads from claims jsonwebtoken accepted. */
function principalOf(claims: unknown): unknown {
  const { sub, username, role, exp } = claims as { sub: string; username: string; role: string; exp: number };
  return { userId: sub, username, role, expiresAt: exp * 1000 };
}

describe('the access-token check (fast-jwt) accepts exactly what jsonwebtoken accepts', () => {
  // Mid-second, so that a token expiring this very second is past for both (jsonwebtoken counts whole seconds).
  beforeAll(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Math.floor(Date.now() / 1000) * 1000 + 500);
  });
  afterAll(() => { vi.useRealTimers(); });

  it('accepts the service\'s own tokens with the same claims, also from its cache', () => {
    const token = service.issueAccessToken({ userId: 'u1', username: 'alex', role: 'client' });
    expect(byJsonwebtoken(token)).toMatchObject({ sub: 'u1', username: 'alex', role: 'client', iss: 'holomesh', aud: 'holomesh-api' });
    expect(byService(token)).toEqual(principalOf(byJsonwebtoken(token)));
    expect(byService(token)).toEqual(principalOf(byJsonwebtoken(token)));
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
      expect(byService(token), token).toBeNull();
      expect(byService(token), `${token} (cached)`).toBeNull();
    }
  });

  it('accepts an audience list naming this service, as jsonwebtoken does', () => {
    const token = hs256(`${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ ...good, aud: ['other', 'holomesh-api'], exp: now() + 60 })}`);
    expect(byJsonwebtoken(token)).not.toBeNull();
    expect(byService(token)).toEqual(principalOf(byJsonwebtoken(token)));
  });
});
