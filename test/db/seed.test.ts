import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { seedDemoCatalog } from '../../src/db/seed.js';
import { DEMO_CHIPS, DEMO_DESIGNERS } from '../../src/db/demo-catalog.js';
import { balanceOf } from '../../src/marketplace/ledger.js';
import { User } from '../../src/db/entities/index.js';

describe('demo catalog seed', () => {
  let t: TestDatabase;
  beforeAll(async () => { t = await createTestDatabase(); });
  afterAll(async () => { await t?.close(); });

  async function counts() {
    const [row] = await t.db.dataSource.query(`SELECT
      (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM chips)::int AS chips,
      (SELECT count(*) FROM chip_collaborators)::int AS shares, (SELECT count(*) FROM subscriptions)::int AS subs,
      (SELECT count(*) FROM ledger_entries)::int AS ledger`);
    return row as Record<string, number>;
  }

  it('creates exactly the demo catalog', async () => {
    const result = await seedDemoCatalog(t.db.dataSource);
    expect(result.createdChips).toBe(9);
    expect(result.createdAccounts.map((a) => a.username).sort()).toEqual(['admin', 'alex', 'aria', 'kenji', 'lumen', 'mira', 'nova', 'sam', 'vega']);
    const designers: { display_name: string }[] = await t.db.dataSource.query('SELECT display_name FROM designer_profiles ORDER BY 1');
    expect(designers.map((d) => d.display_name)).toEqual(DEMO_DESIGNERS.map((d) => d.displayName).sort());
    const chips: { name: string; price_credits: number; edition_size: number | null; tags: string[] }[] =
      await t.db.dataSource.query('SELECT name, price_credits, edition_size, tags FROM chips ORDER BY name');
    expect(chips).toEqual(DEMO_CHIPS.map((c) => ({ name: c.name, price_credits: c.priceCredits, edition_size: c.editionSize, tags: [...c.tags] }))
      .sort((a, b) => a.name.localeCompare(b.name)));
    const koi: { display_name: string; share_bps: number }[] = await t.db.dataSource.query(`
      SELECT d.display_name, cc.share_bps FROM chip_collaborators cc
      JOIN chips c ON c.id = cc.chip_id JOIN designer_profiles d ON d.user_id = cc.designer_id
      WHERE c.name = 'Starlight Koi' ORDER BY cc.share_bps DESC`);
    expect(koi).toEqual([{ display_name: 'Nova', share_bps: 7000 }, { display_name: 'Kenji Sato', share_bps: 3000 }]);
  });

  it('gives alex and sam their credits, favorite and subscription', async () => {
    const users = t.db.dataSource.getRepository(User);
    const alex = await users.findOneByOrFail({ username: 'alex' });
    const sam = await users.findOneByOrFail({ username: 'sam' });
    expect(await balanceOf(t.db.dataSource.manager, alex.id)).toBe(500);
    expect(await balanceOf(t.db.dataSource.manager, sam.id)).toBe(100);
    const [fav] = await t.db.dataSource.query(`SELECT d.display_name FROM client_profiles c JOIN designer_profiles d ON d.user_id = c.favorite_designer_id WHERE c.user_id = $1`, [alex.id]);
    expect(fav.display_name).toBe('Nova');
    const subs: { display_name: string }[] = await t.db.dataSource.query(`SELECT d.display_name FROM subscriptions s JOIN designer_profiles d ON d.user_id = s.designer_id WHERE s.client_id = $1`, [alex.id]);
    expect(subs.map((s) => s.display_name)).toEqual(['Aria Chen']);
    const [samProfile] = await t.db.dataSource.query('SELECT favorite_designer_id FROM client_profiles WHERE user_id = $1', [sam.id]);
    expect(samProfile.favorite_designer_id).toBeNull();
  });

  it('is idempotent: a second run changes nothing', async () => {
    const before = await counts();
    const again = await seedDemoCatalog(t.db.dataSource);
    expect(again).toEqual({ createdAccounts: [], createdChips: 0 });
    expect(await counts()).toEqual(before);
  });
});
