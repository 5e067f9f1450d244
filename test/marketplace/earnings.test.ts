import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { topUp } from '../../src/marketplace/index.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { conversation } from '../http/commands-helpers.js';
import { expectMoneyInvariants } from '../money/helpers.js';
import { buyAs, userIdOf } from '../helpers/lookups.js';

/** A designer's royalties by period: own chips and collaborations apart, the same figures as the ledger. */

let t: TestApp;
let ds: DataSource;

const userId = (username: string): Promise<string> => userIdOf(ds, username);

const buy = (username: string, chip: string, quantity: number, key: string): Promise<void> => buyAs(ds, username, chip, quantity, key);

interface EarningsBody { total: number; ownChips: { credits: number; sales: number; chips: { name: string; credits: number }[] }; collaborations: { credits: number; sales: number; chips: { name: string; credits: number }[] } }

async function earnings(username: string, query = ''): Promise<{ status: number; body: EarningsBody }> {
  const res = await t.app.inject({ method: 'GET', url: `/v1/designer/earnings${query}`, headers: { authorization: `Bearer ${await t.tokenFor(username)}` } });
  return { status: res.statusCode, body: res.json<EarningsBody>() };
}

/** What royalty_payouts says a designer was paid, own chips and collaborations apart. */
async function payouts(username: string): Promise<{ own: number; collaborations: number }> {
  const [row] = await ds.query(
    `SELECT COALESCE(SUM(p.amount_credits) FILTER (WHERE c.designer_id = p.designer_id), 0)::int AS own,
            COALESCE(SUM(p.amount_credits) FILTER (WHERE c.designer_id <> p.designer_id), 0)::int AS collaborations
       FROM royalty_payouts p JOIN transactions t ON t.id = p.transaction_id JOIN chips c ON c.id = t.chip_id WHERE p.designer_id = $1`, [await userId(username)]);
  return row;
}

beforeAll(async () => {
  t = await createTestApp();
  ds = t.database.db.dataSource;
  await ds.transaction(async (m) => topUp(m, await userId('vega'), 200));
  await buy('sam', 'Solar Flare', 1, 'sam-solar');
  await buy('alex', 'Glitch Garden', 2, 'alex-glitch');
  // Vega buys a chip she is paid on: her debit is not earnings, her payout is.
  await buy('vega', 'Glitch Garden', 1, 'vega-glitch');
});
afterAll(() => t?.close());

describe('royalty earnings', () => {
  it('splits own chips from collaborations, with the same figures as the payouts and the ledger', async () => {
    const { status, body } = await earnings('vega');
    expect(status).toBe(200);
    const expected = await payouts('vega');
    expect(body.ownChips).toMatchObject({ credits: expected.own, sales: 1, chips: [{ name: 'Solar Flare', credits: 45 }] });
    expect(body.collaborations).toMatchObject({ credits: expected.collaborations, sales: 3, chips: [{ name: 'Glitch Garden', credits: expected.collaborations }] });
    expect(body.total).toBe(expected.own + expected.collaborations);
    expect(expected.collaborations).toBeGreaterThanOrEqual(3 * 20);

    const lumen = await earnings('lumen');
    const lumenExpected = await payouts('lumen');
    expect(lumen.body.ownChips.credits).toBe(lumenExpected.own);
    expect(lumen.body.collaborations.credits).toBe(0);
    // Three Glitch Garden sales, 41 credits each after the fee, shared exactly between the two.
    expect(lumenExpected.own + expected.collaborations).toBe(3 * 41);
    await expectMoneyInvariants(ds);
  });

  it('counts a period only, and refuses other periods and non-designers with catalog errors', async () => {
    expect((await earnings('vega', '?period=yesterday')).body.total).toBe(0);
    expect((await earnings('vega', '?period=today')).body.total).toBe((await earnings('vega')).body.total);
    const bad = await earnings('vega', '?period=forever');
    expect(bad.status).toBe(400);
    const client = await t.app.inject({ method: 'GET', url: '/v1/designer/earnings', headers: { authorization: `Bearer ${await t.tokenFor('sam')}` } });
    expect(client.statusCode).toBe(403);
    expect(client.json<{ error: { code: string } }>().error.code).toBe('HM_ERR_AUTH_FORBIDDEN');
  });

  it('says it by voice, own chips and collaborations apart, and politely refuses clients', async () => {
    const vega = conversation(t.app, await t.tokenFor('vega'));
    const { own, collaborations } = await payouts('vega');
    const all = await vega.say('how much have I earned in royalties');
    expect(all.intent).toBe('Earnings');
    expect(all.slots).toMatchObject({ period: 'all_time' });
    expect(all.reply.text).toBe(`So far you earned ${own + collaborations} credits: ${own} from your chips and ${collaborations} as a collaborator on Glitch Garden.`);
    expect((await vega.say('what did my collaborations pay me yesterday')).reply.text).toBe("Yesterday you didn't earn any royalties.");
    const lumen = conversation(t.app, await t.tokenFor('lumen'));
    expect((await lumen.say('my royalties this month')).reply.text).toBe(`This month you earned ${(await payouts('lumen')).own} credits, all from your own chips.`);
    const sam = await conversation(t.app, await t.tokenFor('sam')).say('how much did I earn in royalties this month');
    expect(sam.outcome).toBe('rejected');
    expect(sam.reply.text).toBe('Royalty earnings are for designers. You can ask for your balance instead.');
  });
});
