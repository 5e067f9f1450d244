import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/marketplace/index.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { conversation } from '../http/commands-helpers.js';

let t: TestApp;
beforeAll(async () => { t = await createTestApp(); });
afterAll(() => t?.close());

const post = async (url: string, username: string | null, payload: unknown) => t.app.inject({
  method: 'POST', url, payload: payload as Record<string, unknown>,
  headers: username ? { authorization: `Bearer ${await t.tokenFor(username)}` } : {},
});
const chip = (extra: Record<string, unknown> = {}) => ({ name: 'Tidal Lotus', priceCredits: 33, editionSize: 20, tags: ['Water', 'water', 'calm'], ...extra });

describe('POST /v1/chips', () => {
  it('publishes for a designer: token id, canonical metadata hash, collaborator shares, and the lists hear the name', async () => {
    const before = await t.app.catalogLists.get();
    expect(before.lists.chip).not.toContain('Tidal Lotus');
    const res = await post('/v1/chips', 'aria', chip({ mediaUrl: 'https://cdn.example/lotus.glb', collaborators: [{ designer: 'kenji', shareBps: 2_500 }, { designer: 'Mira Okafor', shareBps: 500 }] }));
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    const ids = Object.fromEntries((await t.database.db.dataSource.query(`SELECT username, id FROM users WHERE username IN ('aria', 'kenji', 'mira')`) as { username: string; id: string }[]).map((r) => [r.username, r.id]));
    expect(body).toMatchObject({ name: 'Tidal Lotus', priceCredits: 33, editionSize: 20, editionsSold: 0, tags: ['water', 'calm'], designer: { id: ids.aria, name: 'Aria Chen' }, autoBuysQueued: 0 });
    expect(body.tokenId).toMatch(/^hm-tidal-lotus-[0-9a-f]{12}$/);
    expect(Object.fromEntries(body.shares.map((s: { designerId: string; shareBps: number }) => [s.designerId, s.shareBps]))).toEqual({ [ids.aria!]: 7_000, [ids.kenji!]: 2_500, [ids.mira!]: 500 });
    const expected = createHash('sha256').update(canonicalJson({
      name: 'Tidal Lotus', tokenId: body.tokenId, designerId: ids.aria, editionSize: 20, tags: ['water', 'calm'], mediaUrl: 'https://cdn.example/lotus.glb', shares: body.shares,
    })).digest('hex');
    expect(body.metadataHash).toBe(expected);

    expect((await t.app.catalogLists.get()).lists.chip).toContain('Tidal Lotus');
    const ask = await conversation(t.app, await t.tokenFor('alex')).say('buy tidal lotus');
    expect(ask.reply.text).toBe('Buy Tidal Lotus by Aria Chen for 33 credits? Say yes to confirm.');
  });

  it('accepts an open edition and a free chip', async () => {
    const res = await post('/v1/chips', 'lumen', chip({ name: 'Free Glow', priceCredits: 0, editionSize: null }));
    expect(res.statusCode, res.body).toBe(201);
    expect(res.json()).toMatchObject({ priceCredits: 0, editionSize: null });
  });

  it('refuses non-designers, bad shares and bad bodies', async () => {
    expect((await post('/v1/chips', null, chip())).statusCode).toBe(401);
    expect((await post('/v1/chips', 'alex', chip())).json().error.code).toBe('HM_ERR_AUTH_FORBIDDEN');
    expect((await post('/v1/chips', 'admin', chip())).statusCode).toBe(403);
    const invalid = async (extra: Record<string, unknown>) => {
      const res = await post('/v1/chips', 'nova', chip(extra));
      return [res.statusCode, res.json().error?.code ?? res.body];
    };
    expect(await invalid({ collaborators: [{ designer: 'Kenji Sato', shareBps: 6_000 }, { designer: 'Aria Chen', shareBps: 4_000 }] })).toEqual([400, 'HM_ERR_MARKET_CHIP_INVALID']);
    expect(await invalid({ collaborators: [{ designer: 'Nobody Here', shareBps: 100 }] })).toEqual([400, 'HM_ERR_MARKET_CHIP_INVALID']);
    expect(await invalid({ collaborators: [{ designer: 'nova', shareBps: 100 }] })).toEqual([400, 'HM_ERR_MARKET_CHIP_INVALID']);
    expect(await invalid({ collaborators: [{ designer: 'kenji', shareBps: 100 }, { designer: 'Kenji Sato', shareBps: 100 }] })).toEqual([400, 'HM_ERR_MARKET_CHIP_INVALID']);
    expect(await invalid({ collaborators: [{ designer: 'kenji', shareBps: 10_000 }] })).toEqual([400, 'HM_ERR_REQUEST_INVALID']);
    expect(await invalid({ priceCredits: -1 })).toEqual([400, 'HM_ERR_REQUEST_INVALID']);
    expect(await invalid({ priceCredits: 1.5 })).toEqual([400, 'HM_ERR_REQUEST_INVALID']);
    expect(await invalid({ editionSize: 0 })).toEqual([400, 'HM_ERR_REQUEST_INVALID']);
    expect(await invalid({ mediaUrl: 'javascript:alert(1)' })).toEqual([400, 'HM_ERR_REQUEST_INVALID']);
    expect(await invalid({ editionSize: false })).toEqual([400, 'HM_ERR_REQUEST_INVALID']);
    expect(await invalid({ name: 'x'.repeat(20_000) })).toEqual([413, 'HM_ERR_REQUEST_TOO_LARGE']);
    const [{ n }] = await t.database.db.dataSource.query(`SELECT COUNT(*)::int AS n FROM chips WHERE name = 'Tidal Lotus' AND designer_id = (SELECT id FROM users WHERE username = 'nova')`);
    expect(n).toBe(0);
  });
});

describe('wallet', () => {
  it('GET /v1/wallet: own balance and latest ledger entries', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/wallet?limit=5', headers: { authorization: `Bearer ${await t.tokenFor('alex')}` } });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json();
    expect(body.balance).toBe(body.entries.reduce((s: number, e: { amount: number }) => s + e.amount, 0));
    expect(body.entries[0]).toMatchObject({ amount: 500, reason: 'top_up', transactionId: null });
    expect((await t.app.inject({ method: 'GET', url: '/v1/wallet' })).statusCode).toBe(401);
  });

  it('POST /v1/wallet/top-up: admins only, whole positive credits, known users', async () => {
    const res = await post('/v1/wallet/top-up', 'admin', { username: 'sam', credits: 250 });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.json()).toMatchObject({ username: 'sam', credits: 250, balance: 350 });
    expect((await post('/v1/wallet/top-up', 'nova', { username: 'sam', credits: 250 })).statusCode).toBe(403);
    expect((await post('/v1/wallet/top-up', 'admin', { username: 'ghost', credits: 5 })).statusCode).toBe(404);
    expect((await post('/v1/wallet/top-up', 'admin', { username: 'sam', credits: 0 })).statusCode).toBe(400);
    expect((await post('/v1/wallet/top-up', 'admin', { username: 'sam', credits: 2.5 })).statusCode).toBe(400);
    const wallet = await t.app.inject({ method: 'GET', url: '/v1/wallet', headers: { authorization: `Bearer ${await t.tokenFor('sam')}` } });
    expect(wallet.json().balance).toBe(350);
  });
});
