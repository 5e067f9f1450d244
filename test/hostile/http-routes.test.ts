import fc from 'fast-check';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { closeTestApp, INJECTIONS, ODD_UNICODE, snapshot, type Snapshot } from './helpers.js';

/**
 * Every HTTP route with SQL/HTML injection and odd Unicode in each string field, query parameter
 * and header: a 4xx with the JSON error body or a correct answer, never a 5xx, and nothing stored
 * beyond what the successful requests legitimately did.
 */
const hostileString = fc.oneof(
  { weight: 3, arbitrary: fc.array(fc.oneof(fc.constantFrom(...INJECTIONS), fc.constantFrom(...ODD_UNICODE), fc.string({ unit: 'binary', maxLength: 8 })), { minLength: 1, maxLength: 4 }).map((p) => p.join('')) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) },
  { weight: 1, arbitrary: fc.constantFrom('', ' ', 'x'.repeat(5_000)) },
);
/** Whatever JSON can carry where a string is expected. */
const hostileValue = fc.oneof({ weight: 5, arbitrary: hostileString }, { weight: 1, arbitrary: fc.oneof(fc.integer(), fc.constant(null), fc.boolean(), fc.array(hostileString, { maxLength: 2 }), fc.dictionary(hostileString, hostileString, { maxKeys: 2 })) });
/** Header values must be Latin-1 on the wire; everything else is fair game. */
const headerValue = fc.oneof(fc.constantFrom(...INJECTIONS), fc.string({ unit: fc.integer({ min: 0x20, max: 0xff }).map((c) => String.fromCharCode(c === 0x7f ? 0x20 : c)), maxLength: 200 }));
const hostileHeaders = fc.record({
  'x-forwarded-for': headerValue, 'user-agent': headerValue, 'accept-language': headerValue, cookie: headerValue, 'x-request-id': headerValue,
  'sec-websocket-protocol': headerValue, referer: headerValue,
}, { requiredKeys: [] });

function expectNo5xx(res: LightMyRequestResponse, what: string): void {
  expect(res.statusCode, `${what} → ${res.statusCode} ${res.body.slice(0, 300)}`).toBeLessThan(500);
  if (res.statusCode >= 400) {
    const body = res.json<{ error: { code: string; message: string } }>();
    expect(body.error.code, what).toMatch(/^HM_ERR_[A-Z_]+$/);
    expect(typeof body.error.message).toBe('string');
  }
}

const query = (params: Record<string, unknown>): string => new URLSearchParams(Object.entries(params).map(([k, v]): [string, string] => [k, typeof v === 'string' ? v : JSON.stringify(v)])).toString();

let t: TestApp;
let tokens: Record<'alex' | 'nova' | 'admin', string>;
let before: Snapshot;
const created = { users: 0, chips: 0, topUps: 0 };
beforeAll(async () => {
  t = await createTestApp({ AUTH_RATE_LIMIT_MAX: '100000', LOGIN_FAILURE_LIMIT: '100000', COMMAND_RATE_LIMIT_MAX: '100000' });
  tokens = { alex: await t.tokenFor('alex'), nova: await t.tokenFor('nova'), admin: await t.tokenFor('admin') };
  before = await snapshot(t.database.db.dataSource);
});
afterAll(async () => { await closeTestApp(t); });

/** A valid request with one or two of its fields replaced by hostile values (so the rest of it passes the schema). */
function spoil<T extends Record<string, unknown>>(valid: T, fields: readonly (keyof T & string)[], value: fc.Arbitrary<unknown> = hostileValue): fc.Arbitrary<Record<string, unknown>> {
  return fc.subarray([...fields], { minLength: 1, maxLength: 2 }).chain((chosen) => fc.tuple(...chosen.map(() => value)).map((values) => {
    const out: Record<string, unknown> = { ...valid };
    chosen.forEach((field, i) => { out[field] = values[i]; });
    return out;
  }));
}

let registered = 0;
describe('HTTP routes under hostile input (property)', () => {
  it('auth routes: register, login, refresh, logout, me', async () => {
    const validRegister = { username: 'user_', email: 'user@example.com', password: 'a-long-enough-password', role: 'designer', displayName: 'Display' };
    await fc.assert(fc.asyncProperty(
      spoil(validRegister, ['username', 'email', 'password', 'role', 'displayName']),
      spoil({ username: 'alex', password: 'not-the-password', totp: '123456' }, ['username', 'password', 'totp']),
      hostileValue, hostileHeaders, headerValue,
      async (register, login, refreshToken, headers, auth) => {
        // A unique name, so that a register which passes with a hostile field really creates an account.
        registered += 1;
        if (register.username === validRegister.username) register.username = `user_${registered}`;
        if (register.email === validRegister.email) register.email = `user${registered}@example.com`;
        if (register.displayName === validRegister.displayName) register.displayName = `Display ${registered}`;
        const res = await t.app.inject({ method: 'POST', url: '/v1/auth/register', headers, payload: register });
        expectNo5xx(res, 'register');
        if (res.statusCode === 201) {
          created.users += 1;
          expect(res.json<{ user: { username: string } }>().user.username).toBe(String(register.username).toLowerCase());
        }
        const loggedIn = await t.app.inject({ method: 'POST', url: '/v1/auth/login', headers, payload: login });
        expectNo5xx(loggedIn, 'login');
        expect(loggedIn.statusCode).not.toBe(200);
        expectNo5xx(await t.app.inject({ method: 'POST', url: '/v1/auth/refresh', headers, payload: { refreshToken } }), 'refresh');
        expectNo5xx(await t.app.inject({ method: 'POST', url: '/v1/auth/logout', headers, payload: { refreshToken } }), 'logout');
        const me = await t.app.inject({ method: 'GET', url: '/v1/auth/me', headers: { ...headers, authorization: `Bearer ${auth}` } });
        expectNo5xx(me, 'me');
        expect(me.statusCode).toBe(401);
      },
    ), { seed: 9_001, numRuns: 24 });
  });

  it('command route', async () => {
    await fc.assert(fc.asyncProperty(spoil({ text: 'what is my balance', sessionId: 'session-hostile-1', commandId: undefined as unknown }, ['text', 'sessionId', 'commandId']), hostileHeaders, async (body, headers) => {
      const res = await t.app.inject({ method: 'POST', url: '/v1/commands', headers: { ...headers, authorization: `Bearer ${tokens.alex}` }, payload: body });
      expectNo5xx(res, 'commands');
      if (res.statusCode === 200) expect(res.json<{ intent: string | null }>().intent).not.toBe('BuyChip');
    }), { seed: 9_002, numRuns: 80 });
  });

  it('history route: every query parameter', async () => {
    const valid = { from: '2020-01-01T00:00:00Z', to: '2100-01-01T00:00:00Z', intent: 'CheckBalance', outcome: 'ok', q: 'balance', limit: '5', cursor: undefined as unknown, user: 'alex', token: undefined as unknown };
    await fc.assert(fc.asyncProperty(
      spoil(valid, ['from', 'to', 'intent', 'outcome', 'q', 'limit', 'cursor', 'user', 'token']), fc.constantFrom('alex', 'admin' as const), hostileHeaders,
      async (params, who, headers) => {
        const defined = Object.fromEntries(Object.entries(params).filter(([, v]) => v !== undefined));
        const res = await t.app.inject({ method: 'GET', url: `/v1/history?${query(defined)}`, headers: { ...headers, authorization: `Bearer ${tokens[who]}` } });
        expectNo5xx(res, `history ${query(defined).slice(0, 200)}`);
      },
    ), { seed: 9_003, numRuns: 100 });
  });

  it('chip and wallet routes', async () => {
    const validChip = { name: 'Hostile', priceCredits: 5, editionSize: 3, tags: ['x'], mediaUrl: 'https://example.com/a.png', collaborators: [{ designer: 'Aria Chen', shareBps: 100 }] };
    let n = 0;
    await fc.assert(fc.asyncProperty(
      spoil(validChip, ['name', 'priceCredits', 'editionSize', 'tags', 'mediaUrl', 'collaborators'], fc.oneof(hostileValue, fc.array(hostileValue, { maxLength: 2 }), fc.array(fc.record({ designer: hostileValue, shareBps: fc.oneof(fc.integer({ min: 1, max: 9_999 }), hostileValue) }), { maxLength: 2 }))),
      spoil({ username: 'nobody-here', credits: 5 }, ['username', 'credits']),
      spoil({ limit: '5', token: undefined as unknown }, ['limit', 'token']),
      hostileHeaders,
      async (chip, topUp, walletQuery, headers) => {
        n += 1;
        if (chip.name === validChip.name) chip.name = `Hostile ${n}`;
        const published = await t.app.inject({ method: 'POST', url: '/v1/chips', headers: { ...headers, authorization: `Bearer ${tokens.nova}` }, payload: chip });
        expectNo5xx(published, 'chips');
        if (published.statusCode === 201) {
          created.chips += 1;
          // Stored as given: the name comes back exactly as sent (trimmed), never interpreted.
          expect(published.json<{ name: string }>().name).toBe(String(chip.name).trim());
        }
        const minted = await t.app.inject({ method: 'POST', url: '/v1/wallet/top-up', headers: { ...headers, authorization: `Bearer ${tokens.admin}` }, payload: topUp });
        expectNo5xx(minted, 'top-up');
        expect(minted.statusCode).not.toBe(200); // no hostile username names a real account
        const defined = Object.fromEntries(Object.entries(walletQuery).filter(([, v]) => v !== undefined));
        expectNo5xx(await t.app.inject({ method: 'GET', url: `/v1/wallet?${query(defined)}`, headers: { ...headers, authorization: `Bearer ${tokens.alex}` } }), 'wallet');
      },
    ), { seed: 9_004, numRuns: 80 });
  });

  it('wrote nothing beyond the successful requests', async () => {
    const after = await snapshot(t.database.db.dataSource);
    expect(after.users).toBe(before.users + created.users);
    expect(after.chips).toBe(before.chips + created.chips);
    expect(after.ledgerRows).toBe(before.ledgerRows);
    expect(after.balances).toMatchObject(before.balances);
    expect(after.editions).toBe(before.editions);
    expect(await t.database.db.dataSource.query("SELECT to_regclass('public.users') IS NOT NULL AS present")).toEqual([{ present: true }]);
  });
});

describe('HTTP regressions', () => {
  const nul = 'Neon\u0000Dragon';

  it.each([
    ['history ?q= with NUL', () => ({ method: 'GET' as const, url: `/v1/history?q=${encodeURIComponent(nul)}`, token: 'alex' as const })],
    ['history ?intent= with NUL', () => ({ method: 'GET' as const, url: `/v1/history?intent=${encodeURIComponent(nul)}`, token: 'alex' as const })],
    ['history ?user= with NUL (admin)', () => ({ method: 'GET' as const, url: `/v1/history?user=${encodeURIComponent(nul)}`, token: 'admin' as const })],
    ['login username with NUL', () => ({ method: 'POST' as const, url: '/v1/auth/login', payload: { username: nul, password: 'whatever-password' } })],
    ['register displayName with NUL', () => ({ method: 'POST' as const, url: '/v1/auth/register', payload: { username: 'nul_designer', email: 'nul@example.com', password: 'long-enough-password', role: 'designer', displayName: nul } })],
    ['top-up username with NUL', () => ({ method: 'POST' as const, url: '/v1/wallet/top-up', payload: { username: nul, credits: 5 }, token: 'admin' as const })],
    ['chip name with NUL', () => ({ method: 'POST' as const, url: '/v1/chips', payload: { name: nul, priceCredits: 5, editionSize: 5, tags: [] }, token: 'nova' as const })],
    ['chip tag with NUL', () => ({ method: 'POST' as const, url: '/v1/chips', payload: { name: 'Nul Tag', priceCredits: 5, editionSize: 5, tags: [nul] }, token: 'nova' as const })],
    ['chip collaborator with NUL', () => ({ method: 'POST' as const, url: '/v1/chips', payload: { name: 'Nul Collab', priceCredits: 5, editionSize: 5, tags: [], collaborators: [{ designer: nul, shareBps: 100 }] }, token: 'nova' as const })],
  ])('%s is a 400, not a 500 from PostgreSQL', async (_what, make) => {
    const r = make() as { method: 'GET' | 'POST'; url: string; payload?: object; token?: keyof typeof tokens };
    const res = await t.app.inject({ method: r.method, url: r.url, payload: r.payload, headers: r.token ? { authorization: `Bearer ${tokens[r.token]}` } : {} });
    expect(res.statusCode, res.body).toBe(400);
    expect(res.json()).toMatchObject({ error: { code: 'HM_ERR_REQUEST_INVALID' } });
  });

  it('stores an injected transcript verbatim in the history and leaves the users table alone', async () => {
    const text = "what's my balance'); DROP TABLE users;--";
    const res = await t.app.inject({ method: 'POST', url: '/v1/commands', headers: { authorization: `Bearer ${tokens.alex}` }, payload: { text } });
    expect(res.statusCode).toBe(200);
    const history = await t.app.inject({ method: 'GET', url: `/v1/history?q=${encodeURIComponent("'); DROP")}`, headers: { authorization: `Bearer ${tokens.alex}` } });
    expect(history.json<{ items: { transcript: string }[] }>().items[0]?.transcript).toBe(text);
    const users = await t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { username: 'alex', password: 'definitely-wrong' } });
    expect(users.statusCode).toBe(401); // the users table is still there to be asked
  });

  it('publishes a chip named with HTML as plain text', async () => {
    const name = '<img src=x onerror=alert(1)> Chip';
    const res = await t.app.inject({ method: 'POST', url: '/v1/chips', headers: { authorization: `Bearer ${tokens.nova}` }, payload: { name, priceCredits: 5, editionSize: 3, tags: ['<b>'] } });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({ name, tags: ['<b>'] });
  });
});
