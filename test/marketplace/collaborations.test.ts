import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { buyChip, findChip, searchChips } from '../../src/marketplace/index.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createClients, expectMoneyInvariants } from '../money/helpers.js';

/** Collaborators accept being listed before a chip shows under their name or pays them. */

let t: TestApp;
let ds: DataSource;
const FEE_BPS = 1_000;

const idOf = async (username: string): Promise<string> => (await ds.query('SELECT id FROM users WHERE username = $1', [username]))[0].id;
const call = async (method: 'GET' | 'POST', url: string, username: string, payload?: Record<string, unknown>) => {
  const res = await t.app.inject({ method, url, headers: { authorization: `Bearer ${await t.tokenFor(username)}` }, ...(payload ? { payload } : {}) });
  return { status: res.statusCode, body: res.json() };
};
const publish = async (username: string, body: Record<string, unknown>): Promise<string> => {
  const res = await call('POST', '/v1/chips', username, { priceCredits: 40, editionSize: null, tags: ['neon'], ...body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
};
const payoutsOf = async (purchaseId: string) => Object.fromEntries((await ds.query(
  'SELECT u.username, p.amount_credits FROM royalty_payouts p JOIN users u ON u.id = p.designer_id WHERE p.transaction_id = $1', [purchaseId]) as { username: string; amount_credits: number }[])
  .map((r) => [r.username, r.amount_credits]));
const buy = async (buyerId: string, chipId: string, key: string) => {
  const result = await ds.transaction((m) => buyChip(m, { buyerId, chipId, idempotencyKey: key, platformFeeBps: FEE_BPS }));
  if (result.kind !== 'bought') throw new Error(result.kind);
  return result.sale;
};

beforeAll(async () => {
  t = await createTestApp();
  ds = t.database.db.dataSource;
  const res = await t.app.inject({
    // An address of its own: the per-IP registration limit lives in the Redis other test files share.
    method: 'POST', url: '/v1/auth/register', remoteAddress: `10.77.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`,
    payload: { username: 'mallory', email: 'mallory@test.invalid', password: 'a long and unguessable passphrase 7', role: 'designer', displayName: 'Mallory' },
  });
  expect(res.statusCode, res.body).toBe(201);
});
afterAll(() => t?.close());

describe('collaboration invitations', () => {
  it('a chip listing Nova shows under her name and pays her only once she accepts', async () => {
    const chipId = await publish('mallory', { name: 'Neon Wyrm', collaborators: [{ designer: 'Nova', shareBps: 5_000 }] });
    const nova = await idOf('nova');
    const [buyer] = await createClients(ds, 'wyrmfan', 1, () => 1_000);

    // Not accepted: not Nova's chip anywhere, and a sale pays Mallory the whole rest.
    expect((await searchChips(ds.manager, { designerId: nova, limit: 50 })).chips.map((c) => c.name)).not.toContain('Neon Wyrm');
    expect(await findChip(ds.manager, 'Neon Wyrm', nova)).toBeNull();
    const first = await buy(buyer!.id, chipId, 'wyrm-1');
    expect(await payoutsOf(first.purchaseId)).toEqual({ mallory: 36 });

    // Nova sees the invitation (listed and notified) and accepts it.
    const invitations = await call('GET', '/v1/collaborations', 'nova');
    expect(invitations).toMatchObject({ status: 200, body: { invitations: [{ chipId, chipName: 'Neon Wyrm', publisher: { name: 'Mallory' }, shareBps: 5_000, priceCredits: 40 }] } });
    const [invite] = await ds.query(`SELECT text FROM notifications WHERE user_id = $1 AND kind = 'collaboration_invite'`, [nova]);
    expect(invite.text).toBe('Mallory listed you as a collaborator on Neon Wyrm with 50% of its royalties: accept or decline');
    expect(await call('POST', `/v1/chips/${chipId}/collaboration`, 'nova', { accept: true })).toEqual({ status: 200, body: { chipId, chipName: 'Neon Wyrm', accepted: true } });
    expect((await call('GET', '/v1/collaborations', 'nova')).body.invitations).toEqual([]);

    expect((await searchChips(ds.manager, { designerId: nova, limit: 50 })).chips.map((c) => c.name)).toContain('Neon Wyrm');
    expect((await findChip(ds.manager, 'Neon Wyrm', nova))?.id).toBe(chipId);
    const second = await buy(buyer!.id, chipId, 'wyrm-2');
    expect(await payoutsOf(second.purchaseId)).toEqual({ mallory: 18, nova: 18 });
    await expectMoneyInvariants(ds);
  });

  it('declining removes the listing and gives the share back to the publisher', async () => {
    const chipId = await publish('mallory', { name: 'Koi Decoy', collaborators: [{ designer: 'Kenji Sato', shareBps: 3_000 }] });
    expect(await call('POST', `/v1/chips/${chipId}/collaboration`, 'kenji', { accept: false })).toEqual({ status: 200, body: { chipId, chipName: 'Koi Decoy', accepted: false } });
    const shares = await ds.query('SELECT u.username, cc.share_bps FROM chip_collaborators cc JOIN users u ON u.id = cc.designer_id WHERE cc.chip_id = $1', [chipId]);
    expect(shares).toEqual([{ username: 'mallory', share_bps: 10_000 }]);
    const [publisherNote] = await ds.query(`SELECT text FROM notifications WHERE user_id = $1 AND kind = 'collaboration' ORDER BY created_at DESC, id DESC LIMIT 1`, [await idOf('mallory')]);
    expect(publisherNote.text).toMatch(/declined being listed on Koi Decoy/);
    // Answered: nothing left to answer.
    expect((await call('POST', `/v1/chips/${chipId}/collaboration`, 'kenji', { accept: true })).body.error.code).toBe('HM_ERR_REQUEST_NOT_FOUND');
  });

  it('only the invited designer may answer, and an accepted share is not declined one-sidedly', async () => {
    const chipId = await publish('mallory', { name: 'Bloom Bait', collaborators: [{ designer: 'Mira Okafor', shareBps: 2_000 }] });
    expect((await call('POST', `/v1/chips/${chipId}/collaboration`, 'alex', { accept: true })).status).toBe(403);
    expect((await call('POST', `/v1/chips/${chipId}/collaboration`, 'aria', { accept: true })).status).toBe(404);
    expect((await call('POST', `/v1/chips/${chipId}/collaboration`, 'mallory', { accept: true })).status).toBe(404);
    expect((await call('POST', '/v1/chips/not-a-uuid/collaboration', 'mira', { accept: true })).status).toBe(400);
    expect((await call('POST', `/v1/chips/${chipId}/collaboration`, 'mira', { accept: true })).status).toBe(200);
    expect((await call('POST', `/v1/chips/${chipId}/collaboration`, 'mira', { accept: true })).status).toBe(200); // idempotent
    expect(await call('POST', `/v1/chips/${chipId}/collaboration`, 'mira', { accept: false })).toMatchObject({ status: 409, body: { error: { code: 'HM_ERR_MARKET_CONFLICT' } } });
  });
});
