import { createHmac, generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { User } from '../../src/db/entities/index.js';
import { TEST_JWT_SECRET } from '../helpers/database.js';
import { bearer, createAuthTestApp, type AuthTestApp } from './helpers.js';

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('access tokens (JWT): only HS256 from this service, unexpired, for this audience', () => {
  let t: AuthTestApp;
  let claims: { sub: string; username: string; role: string };
  const good = { issuer: 'holomesh', audience: 'holomesh-api', expiresIn: 300 } as const;

  beforeAll(async () => {
    t = await createAuthTestApp();
    const alex = t.tokens.verifyAccessToken(await issueFor('alex'));
    claims = { sub: alex.userId, username: alex.username, role: alex.role };
  });
  afterAll(async () => { await t?.close(); });

  async function issueFor(username: string): Promise<string> {
    const user = await t.database.db.dataSource.getRepository(User).findOneByOrFail({ username });
    return t.tokens.issueAccessToken({ userId: user.id, username: user.username, role: user.role });
  }

  async function me(token: string) {
    return t.app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer(token) });
  }

  async function expectRefused(token: string) {
    const res = await me(token);
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('HM_ERR_AUTH_REQUIRED');
    return res.json().error.message as string;
  }

  it('accepts a token it issued', async () => {
    const res = await me(await issueFor('alex'));
    expect(res.statusCode).toBe(200);
    expect(res.json().user.username).toBe('alex');
  });

  it('no token on an authenticated route is 401', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/auth/me' });
    expect(res.statusCode).toBe(401);
  });

  it('refuses an expired token', async () => {
    const token = jwt.sign({ ...claims, exp: Math.floor(Date.now() / 1000) - 60 }, TEST_JWT_SECRET, { algorithm: 'HS256', issuer: good.issuer, audience: good.audience });
    expect(await expectRefused(token)).toBe('the access token has expired');
  });

  it('refuses a wrong signature', async () => {
    await expectRefused(jwt.sign(claims, 'another-secret-that-is-long-enough-for-hs256', { algorithm: 'HS256', ...good }));
    const [h, p] = (await issueFor('alex')).split('.');
    await expectRefused(`${h}.${p}.${Buffer.from('forged').toString('base64url')}`);
  });

  it('refuses alg "none" (with or without a signature part)', async () => {
    const now = Math.floor(Date.now() / 1000);
    const payload = b64({ ...claims, iss: good.issuer, aud: good.audience, iat: now, exp: now + 300 });
    for (const alg of ['none', 'None', 'NONE']) {
      await expectRefused(`${b64({ alg, typ: 'JWT' })}.${payload}.`);
      await expectRefused(`${b64({ alg, typ: 'JWT' })}.${payload}`);
    }
  });

  it('refuses RS256 tokens and HS256 tokens keyed with a public key (algorithm confusion)', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    await expectRefused(jwt.sign(claims, privateKey, { algorithm: 'RS256', ...good }));
    const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    // jsonwebtoken itself refuses to HMAC-sign with a PEM key, so the token is built by hand.
    const now = Math.floor(Date.now() / 1000);
    const unsigned = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64({ ...claims, iss: good.issuer, aud: good.audience, iat: now, exp: now + 300 })}`;
    await expectRefused(`${unsigned}.${createHmac('sha256', publicPem).update(unsigned).digest('base64url')}`);
    // The same construction with the real secret is accepted: the refusals above are about the key.
    const real = `${unsigned}.${createHmac('sha256', TEST_JWT_SECRET).update(unsigned).digest('base64url')}`;
    expect((await me(real)).statusCode).toBe(200);
  });

  it('refuses HS384/HS512 tokens even with the right secret (algorithm pinned)', async () => {
    await expectRefused(jwt.sign(claims, TEST_JWT_SECRET, { algorithm: 'HS512', ...good }));
    await expectRefused(jwt.sign(claims, TEST_JWT_SECRET, { algorithm: 'HS384', ...good }));
  });

  it('refuses a wrong audience or issuer', async () => {
    await expectRefused(jwt.sign(claims, TEST_JWT_SECRET, { algorithm: 'HS256', ...good, audience: 'someone-else' }));
    await expectRefused(jwt.sign(claims, TEST_JWT_SECRET, { algorithm: 'HS256', ...good, issuer: 'evil' }));
    const { issuer: _issuer, ...noIssuer } = good;
    await expectRefused(jwt.sign(claims, TEST_JWT_SECRET, { algorithm: 'HS256', ...noIssuer }));
  });

  it('an enrolment token only opens the 2FA setup routes', async () => {
    const alex = t.tokens.verifyAccessToken(await issueFor('alex'));
    const enrolment = t.tokens.issueEnrolmentToken(alex);
    expect(await expectRefused(enrolment)).toMatch(/only good for setting up two-factor/);
    const health = await t.app.inject({ method: 'GET', url: '/health', headers: bearer(enrolment) });
    expect(health.statusCode).toBe(401);
    const setup = await t.app.inject({ method: 'POST', url: '/v1/auth/2fa/setup', headers: bearer(enrolment) });
    expect(setup.statusCode).toBe(200);
  });
});
