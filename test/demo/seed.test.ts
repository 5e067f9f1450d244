import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { seedDemoCatalog } from '../../src/demo/seed.js';
import { DEMO_CHIPS, DEMO_DESIGNERS, DEMO_SALES } from '../../src/demo/catalog.js';
import { balanceOf } from '../../src/marketplace/ledger.js';
import { recommend } from '../../src/marketplace/recommendations.js';
import { User } from '../../src/db/entities/index.js';

describe('demo catalog seed', () => {
  let t: TestDatabase;
  beforeAll(async () => { t = await createTestDatabase(); });
  afterAll(async () => { await t?.close(); });

  async function counts() {
    const [row] = await t.db.dataSource.query(`SELECT
      (SELECT count(*) FROM users)::int AS users, (SELECT count(*) FROM chips)::int AS chips,
      (SELECT count(*) FROM chip_collaborators)::int AS shares, (SELECT count(*) FROM subscriptions)::int AS subs,
      (SELECT count(*) FROM ledger_entries)::int AS ledger, (SELECT count(*) FROM transactions)::int AS sales,
      (SELECT count(*) FROM groups)::int AS groups, (SELECT count(*) FROM group_posts)::int AS posts,
      (SELECT count(*) FROM reviews)::int AS reviews, (SELECT count(*) FROM notifications)::int AS notifications`);
    return row as Record<string, number>;
  }

  it('creates exactly the demo catalog', async () => {
    const result = await seedDemoCatalog(t.db.dataSource);
    expect(result.createdChips).toBe(9);
    expect(result.createdAccounts.map((a) => a.username).sort()).toEqual(['admin', 'alex', 'aria', 'casey', 'jordan', 'kenji', 'lumen', 'mira', 'nova', 'riley', 'sam', 'vega']);
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

  it('adds the demo groups with their members and posts', async () => {
    const groups: { name: string; members: string[]; posts: number }[] = await t.db.dataSource.query(`
      SELECT g.name, array(SELECT d.display_name FROM group_members m JOIN designer_profiles d ON d.user_id = m.user_id WHERE m.group_id = g.id ORDER BY 1) AS members,
             (SELECT count(*)::int FROM group_posts p WHERE p.group_id = g.id) AS posts
      FROM groups g ORDER BY g.name`);
    expect(groups).toEqual([
      { name: 'Calm Makers', members: ['Aria Chen', 'Lumen Labs', 'Mira Okafor'], posts: 2 },
      { name: 'Neon Nights', members: ['Kenji Sato', 'Nova', 'Vega Flux'], posts: 3 },
    ]);
  });

  it('adds 30 days of past sales bought by other collectors, paid out exactly through the ledger', async () => {
    const [sales] = await t.db.dataSource.query(`
      SELECT count(*)::int AS n, min(t.created_at) > now() - interval '31 days' AS recent, count(DISTINCT chip_id)::int AS chips,
             bool_and(u.username IN ('jordan', 'riley', 'casey')) AS by_collectors
      FROM transactions t JOIN users u ON u.id = t.buyer_id`);
    expect(sales).toEqual({ n: DEMO_SALES.length, recent: true, chips: DEMO_CHIPS.length, by_collectors: true });
    // Every sale's payouts and fee add up to its price, and the ledger holds exactly those amounts.
    const [sums] = await t.db.dataSource.query(`
      SELECT (SELECT sum(price_credits) FROM transactions)::int AS prices,
             (SELECT sum(amount_credits) FROM royalty_payouts)::int + (SELECT sum(platform_fee_credits) FROM transactions)::int AS paid,
             (SELECT sum(amount) FROM ledger_entries WHERE reason = 'purchase' AND amount > 0)::int AS credited,
             (SELECT sum(amount) FROM ledger_entries)::int AS ledger_total`);
    expect(sums.paid).toBe(sums.prices);
    expect(sums.credited).toBe(sums.prices);
    expect(sums.ledger_total).toBe(0);
    // Sales are dated back; editions and ledger entries carry the same dates.
    const [dates] = await t.db.dataSource.query(`
      SELECT bool_and(e.acquired_at = t.created_at) AS editions, bool_and(l.created_at = t.created_at) AS ledger
      FROM transactions t JOIN editions e ON e.purchase_id = t.id JOIN ledger_entries l ON l.transaction_id = t.id`);
    expect(dates).toEqual({ editions: true, ledger: true });
  });

  it('adds reviews with stars and alex liking neon and cyberpunk', async () => {
    const reviews: { display_name: string; rating_count: number; rating_total: number; n: number }[] = await t.db.dataSource.query(`
      SELECT d.display_name, d.rating_count, d.rating_total, (SELECT count(*)::int FROM reviews r WHERE r.designer_id = d.user_id AND r.text <> '') AS n
      FROM designer_profiles d WHERE d.display_name = 'Nova'`);
    expect(reviews).toEqual([{ display_name: 'Nova', rating_count: 2, rating_total: 9, n: 2 }]);
    const alex = await t.db.dataSource.getRepository(User).findOneByOrFail({ username: 'alex' });
    const [profile] = await t.db.dataSource.query('SELECT preferences FROM client_profiles WHERE user_id = $1', [alex.id]);
    expect(Object.keys(profile.preferences.tags).sort()).toEqual(['cyberpunk', 'neon']);
    expect(profile.preferences.tags.neon).toMatchObject({ liked: true, source: 'said' });
    // Recommendations have something to say on a first start.
    const found = await recommend(t.db.dataSource.manager, alex.id);
    expect(found.chips.map((c) => [c.name, c.reason.kind])).toEqual([['Neon Dragon', 'liked_tag'], ['Starlight Koi', 'liked_tag'], ['Quantum Koi', 'liked_tag']]);
  });

  it('is idempotent: a second run changes nothing', async () => {
    const before = await counts();
    const again = await seedDemoCatalog(t.db.dataSource);
    expect(again).toEqual({ createdAccounts: [], createdChips: 0 });
    expect(await counts()).toEqual(before);
  });
});
