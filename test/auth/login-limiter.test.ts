import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoginLimiter, type LoginLimits } from '../../src/auth/login-limiter.js';
import { MemorySessionStore, RedisSessionStore, type SessionStore } from '../../src/cache/index.js';
import { Errors, isHoloMeshError } from '../../src/errors.js';

const LIMITS: LoginLimits = { perClientMax: 5, windowS: 60, maxWindowS: 3_600, slowAfter: 8, maxDelayMs: 1_000 };
const isWrong = (err: unknown) => isHoloMeshError(err) && err.code === 'HM_ERR_AUTH_INVALID_CREDENTIALS';
const account = () => `acct_${randomBytes(5).toString('hex')}`;

const stores: [string, () => Promise<SessionStore>][] = [['in-process', async () => new MemorySessionStore()]];
if (process.env.REDIS_URL) stores.push(['Redis', () => RedisSessionStore.connect(process.env.REDIS_URL!)]);

describe.each(stores)('login limiter on the %s store', (_name, open) => {
  let store: SessionStore;
  beforeAll(async () => { store = await open(); });
  afterAll(async () => { await store?.close(); });

  it('counts before checking: 40 concurrent wrong guesses from one client get exactly 5 checks', async () => {
    const limiter = new LoginLimiter(store, { ...LIMITS, slowAfter: 1_000 });
    let checks = 0;
    const wrongGuess = async () => { checks++; await new Promise((r) => setTimeout(r, 20)); throw Errors.InvalidCredentials(); };
    const who = account();
    const outcomes = await Promise.allSettled(Array.from({ length: 40 }, () => limiter.guard(who, { id: 'ip:10.0.0.1', trusted: false }, wrongGuess, isWrong)));
    expect(checks).toBe(5);
    const codes = outcomes.map((o) => (o.status === 'rejected' && isHoloMeshError(o.reason) ? o.reason.code : 'fulfilled'));
    expect(codes.filter((c) => c === 'HM_ERR_AUTH_INVALID_CREDENTIALS')).toHaveLength(5);
    expect(codes.filter((c) => c === 'HM_ERR_REQUEST_RATE_LIMITED')).toHaveLength(35);
  });

  it('slows unknown devices beyond the per-account limit, never a known device, and gives back guesses that were not wrong', async () => {
    const delays: number[] = [];
    const limiter = new LoginLimiter(store, LIMITS, async (ms) => { delays.push(ms); });
    const who = account();
    const wrongGuess = async () => { throw Errors.InvalidCredentials(); };
    // 12 addresses, one wrong guess each: the first 8 are not slowed, then 250, 500, 1000, 1000 ms.
    for (let i = 0; i < 12; i++) await limiter.guard(who, { id: `ip:10.0.1.${i}`, trusted: false }, wrongGuess, isWrong).catch(() => {});
    expect(delays).toEqual([250, 500, 1_000, 1_000]);
    // The owner's known device is not slowed and gets in.
    await expect(limiter.guard(who, { id: 'device:abc', trusted: true }, async () => 'in', isWrong)).resolves.toBe('in');
    expect(delays).toHaveLength(4);
    // A right password from an unknown device is slowed, not refused, and does not count.
    await expect(limiter.guard(who, { id: 'ip:10.0.2.1', trusted: false }, async () => 'in', isWrong)).resolves.toBe('in');
    await expect(limiter.guard(who, { id: 'ip:10.0.2.1', trusted: false }, async () => 'in', isWrong)).resolves.toBe('in');
    expect(delays).toEqual([250, 500, 1_000, 1_000, 1_000, 1_000]);
  });

  it('doubles a client’s window at each lockout', async () => {
    const limiter = new LoginLimiter(store, { ...LIMITS, perClientMax: 2, windowS: 1, slowAfter: 1_000 });
    const who = account();
    const client = { id: 'ip:10.0.3.1', trusted: false };
    const refusals: number[] = [];
    const guess = () => limiter.guard(who, client, async () => { throw Errors.InvalidCredentials(); }, isWrong, (s) => refusals.push(s)).catch(() => {});
    for (let i = 0; i < 3; i++) await guess();
    await new Promise((r) => setTimeout(r, 1_100));
    for (let i = 0; i < 3; i++) await guess();
    await new Promise((r) => setTimeout(r, 2_100));
    for (let i = 0; i < 3; i++) await guess();
    expect(refusals).toEqual([1, 2, 4]);
    // Another client of the same account is not locked out.
    await expect(limiter.guard(who, { id: 'ip:10.0.3.2', trusted: false }, async () => 'in', isWrong)).resolves.toBe('in');
  });
});
