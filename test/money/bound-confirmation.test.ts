import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource, EntityManager } from 'typeorm';
import { balanceOf } from '../../src/marketplace/index.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { conversation } from '../http/commands-helpers.js';
import { expectMoneyInvariants } from './helpers.js';
import { userIdOf } from '../helpers/lookups.js';

/** A yes buys exactly the chip, price and quantity that were read back — nothing looked up again by name. */

let t: TestApp;
let ds: DataSource;

const userId = (username: string): Promise<string> => userIdOf(ds, username);
const designerId = async (name: string): Promise<string> => (await ds.query('SELECT user_id FROM designer_profiles WHERE display_name = $1', [name]))[0].user_id;
const chipIds = async (name: string): Promise<string[]> => (await ds.query('SELECT id FROM chips WHERE name = $1 ORDER BY published_at', [name])).map((r: { id: string }) => r.id);
const purchases = async (username: string) => ds.query(
  'SELECT p.chip_id, p.price_credits FROM transactions p WHERE p.buyer_id = $1 ORDER BY p.created_at', [await userId(username)]) as Promise<{ chip_id: string; price_credits: number }[]>;

/** A designer who registered themselves, and a chip of theirs (listing others as collaborators). */
async function sneakIn(m: EntityManager, username: string, displayName: string, chip: { name: string; price: number; shares: Record<string, number> }): Promise<string> {
  const [{ id }] = await m.query(`INSERT INTO users (username, email, password_hash, role) VALUES ($1::text, $1::text || '@test.invalid', 'x', 'designer') RETURNING id`, [username]);
  await m.query('INSERT INTO designer_profiles (user_id, display_name) VALUES ($1, $2)', [id, displayName]);
  const [{ id: chipId }] = await m.query(`INSERT INTO chips (name, token_id, metadata_hash, designer_id, price_credits, edition_size, tags, published_at)
    VALUES ($1, 'hm-test-' || md5(random()::text), repeat('0', 64), $2, $3, 10, '{neon}', now() + interval '1 second') RETURNING id`, [chip.name, id, chip.price]);
  for (const [who, bps] of Object.entries(chip.shares)) {
    const collaborator = who === displayName ? id : (await m.query('SELECT user_id FROM designer_profiles WHERE display_name = $1', [who]))[0].user_id;
    await m.query('INSERT INTO chip_collaborators (chip_id, designer_id, share_bps) VALUES ($1, $2, $3)', [chipId, collaborator, bps]);
  }
  return chipId;
}

beforeAll(async () => {
  t = await createTestApp();
  ds = t.database.db.dataSource;
});
afterAll(() => t?.close());

describe('a confirmation is bound to what was read back', () => {
  it('a chip with the same name published during the window is not bought: the read-back one is, at its price', async () => {
    const c = conversation(t.app, await t.tokenFor('alex'));
    const [original] = await chipIds('Neon Dragon');
    const before = await balanceOf(ds.manager, await userId('alex'));
    expect((await c.say('buy neon dragon')).reply.text).toBe('Buy Neon Dragon by Nova for 25 credits? Say yes to confirm.');

    const impostor = await ds.transaction((m) => sneakIn(m, 'mallory', 'Mallory', { name: 'Neon Dragon', price: 480, shares: { Mallory: 5_000, Nova: 5_000 } }));
    await t.app.catalogLists.invalidate();
    expect(await chipIds('Neon Dragon')).toEqual([original, impostor]);

    const yes = await c.say('yes');
    expect(yes.reply.text).toMatch(/^Done. You bought Neon Dragon number 1 for 25 credits/);
    expect(await purchases('alex')).toEqual([{ chip_id: original, price_credits: 25 }]);
    expect(await balanceOf(ds.manager, await userId('alex'))).toBe(before - 25);
    expect((await ds.query('SELECT editions_sold FROM chips WHERE id = $1', [impostor]))[0].editions_sold).toBe(0);
    await expectMoneyInvariants(ds);
  });

  it('refuses when the price changed since the read-back, and charges nothing', async () => {
    const c = conversation(t.app, await t.tokenFor('sam'));
    const before = await balanceOf(ds.manager, await userId('sam'));
    expect((await c.say('buy paper crane')).reply.text).toBe('Buy Paper Crane by Aria Chen for 15 credits? Say yes to confirm.');
    await ds.query(`UPDATE chips SET price_credits = 18 WHERE name = 'Paper Crane'`);
    const yes = await c.say('yes');
    expect(yes).toMatchObject({
      outcome: 'rejected',
      reply: { text: "The price of Paper Crane changed from 15 credits to 18 credits, so I didn't buy it. Ask again to buy it at the new price.", data: { reason: 'price_changed' } },
    });
    expect(await purchases('sam')).toEqual([]);
    expect(await balanceOf(ds.manager, await userId('sam'))).toBe(before);
    // Asked again, the new price is read back and bought.
    expect((await c.say('buy paper crane')).reply.text).toBe('Buy Paper Crane by Aria Chen for 18 credits? Say yes to confirm.');
    expect((await c.say('yes')).reply.text).toMatch(/^Done. You bought Paper Crane number 1 for 18 credits/);
  });

  it('refuses when the chip is gone, even if another chip has its name by then', async () => {
    const c = conversation(t.app, await t.tokenFor('sam'));
    const mine = await ds.transaction((m) => sneakIn(m, 'ephemera', 'Ephemera', { name: 'Fleeting Moth', price: 5, shares: { Ephemera: 10_000 } }));
    await t.app.catalogLists.invalidate();
    expect((await c.say('buy fleeting moth')).reply.text).toBe('Buy Fleeting Moth by Ephemera for 5 credits? Say yes to confirm.');
    await ds.transaction(async (m) => {
      await m.query('DELETE FROM chips WHERE id = $1', [mine]);
      await sneakIn(m, 'mothman', 'Mothman', { name: 'Fleeting Moth', price: 5, shares: { Mothman: 10_000 } });
    });
    const yes = await c.say('yes');
    expect(yes).toMatchObject({ outcome: 'rejected', reply: { text: "Fleeting Moth is no longer for sale, so I didn't buy it." } });
    expect((await purchases('sam')).length).toBe(1); // the paper crane above
  });

  it('auto-buy is switched on for the designer read back, not one who takes the name meanwhile', async () => {
    const c = conversation(t.app, await t.tokenFor('sam'));
    const vega = await designerId('Vega Flux');
    expect((await c.say('turn on auto buy for Vega Flux up to 40 credits')).reply.text).toBe('Automatically buy new chips from Vega Flux up to 40 credits? Say yes to confirm.');
    await ds.transaction(async (m) => {
      await m.query(`UPDATE designer_profiles SET display_name = 'Vega Flux Studio' WHERE user_id = $1`, [vega]);
      await sneakIn(m, 'fakevega', 'Vega Flux', { name: 'Bait', price: 40, shares: { 'Vega Flux': 10_000 } });
    });
    await c.say('yes');
    const rows = await ds.query('SELECT designer_id, auto_buy, max_price FROM subscriptions WHERE client_id = $1', [await userId('sam')]);
    expect(rows).toEqual([{ designer_id: vega, auto_buy: true, max_price: 40 }]);
  });
});
