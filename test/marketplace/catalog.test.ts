import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { User } from '../../src/db/entities/index.js';
import {
  chipNameWords, disableAutoBuy, enableAutoBuy, findDesigner, listSubscribers, listSubscriptions, readNotifications, searchChips, subscribe,
  unsubscribe, whatsNew,
} from '../../src/marketplace/index.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;
let ds: DataSource;
const userId = async (username: string) => (await ds.getRepository(User).findOneByOrFail({ username })).id;
const designer = async (name: string) => (await findDesigner(ds.manager, name))!;

beforeAll(async () => {
  t = await createTestApp();
  ds = t.database.db.dataSource;
});
afterAll(() => t?.close());

describe('searchChips', () => {
  it('filters by tag, designer and price, available and own chips first', async () => {
    const neon = await searchChips(ds.manager, { tag: 'NEON' });
    expect(neon.chips.map((c) => c.name).sort()).toEqual(['Neon Dragon', 'Starlight Koi']);
    expect(neon.chips[0]!.name).toBe('Neon Dragon'); // its first tag is the one asked for
    const cheapNeon = await searchChips(ds.manager, { tag: 'neon', maxPrice: 30 });
    expect(cheapNeon.chips.map((c) => c.name)).toEqual(['Neon Dragon']);
    const kenji = await designer('kenji sato');
    const byKenji = await searchChips(ds.manager, { designerId: kenji.id });
    expect(byKenji.chips.map((c) => c.name)).toEqual(['Quantum Koi', 'Starlight Koi']); // own chip before the collaboration
    await ds.query(`UPDATE chips SET editions_sold = edition_size WHERE name = 'Quantum Koi'`);
    const afterSellOut = await searchChips(ds.manager, { designerId: kenji.id });
    expect(afterSellOut.chips.map((c) => [c.name, c.isSoldOut])).toEqual([['Starlight Koi', false], ['Quantum Koi', true]]);
    const all = await searchChips(ds.manager, {});
    expect(all.total).toBe(9);
    expect(all.chips).toHaveLength(5);
  });

  it('finds chips by a whole word of their name, not by part of a word', async () => {
    expect((await searchChips(ds.manager, { nameWord: 'KOI' })).chips.map((c) => c.name).sort()).toEqual(['Quantum Koi', 'Starlight Koi']);
    expect((await searchChips(ds.manager, { nameWord: 'koi', maxPrice: 50 })).chips.map((c) => c.name)).toEqual(['Starlight Koi']);
    expect((await searchChips(ds.manager, { nameWord: 'ko' })).total).toBe(0);
    expect(chipNameWords(['Starlight Koi', 'The Koi of the Sea', 'A-1 Fox'])).toEqual(['fox', 'koi', 'sea', 'starlight']);
  });
});

describe('whatsNew', () => {
  it('lists chips since the last ask and moves the mark', async () => {
    const alex = await userId('alex');
    // The catalog was seeded moments ago: date it an hour back, so that moving the mark a second
    // back below only ever uncovers the chip the test publishes.
    await ds.query(`UPDATE chips SET published_at = published_at - interval '1 hour'`);
    const first = await ds.transaction((m) => whatsNew(m, alex));
    expect(first.total).toBe(9);
    const again = await ds.transaction((m) => whatsNew(m, alex));
    expect(again.total).toBe(0);
    // Solar Flare published after alex's mark and before now, without waiting on the database's
    // clock: the mark moves a second back and the chip half a second after it.
    const publishSinceMark = async () => {
      await ds.query(`UPDATE client_profiles SET last_whats_new_at = last_whats_new_at - interval '1 second' WHERE user_id = $1`, [alex]);
      await ds.query(`UPDATE chips SET published_at = (SELECT last_whats_new_at FROM client_profiles WHERE user_id = $1) + interval '500 milliseconds' WHERE name = 'Solar Flare'`, [alex]);
    };
    await publishSinceMark();
    const vega = await designer('Vega Flux');
    const fromNova = await ds.transaction(async (m) => whatsNew(m, alex, { designerId: (await designer('Nova')).id }));
    expect(fromNova.total).toBe(0);
    await publishSinceMark();
    const fromVega = await ds.transaction((m) => whatsNew(m, alex, { designerId: vega.id }));
    expect(fromVega.chips.map((c) => c.name)).toEqual(['Solar Flare']);
  });
});

describe('subscriptions and auto-buy', () => {
  it('subscribes once, enables auto-buy with a cap (subscribing), disables, unsubscribes', async () => {
    const sam = await userId('sam');
    const nova = await designer('Nova');
    const vega = await designer('Vega Flux');
    expect(await subscribe(ds.manager, sam, nova)).toEqual({ created: true });
    expect(await subscribe(ds.manager, sam, nova)).toEqual({ created: false });
    expect(await enableAutoBuy(ds.manager, sam, vega, 40)).toEqual({ subscribed: true });
    expect(await enableAutoBuy(ds.manager, sam, nova, null)).toEqual({ subscribed: false });
    expect(await listSubscriptions(ds.manager, sam)).toEqual([
      { designerId: nova.id, designerName: 'Nova', autoBuy: true, maxPrice: null },
      { designerId: vega.id, designerName: 'Vega Flux', autoBuy: true, maxPrice: 40 },
    ]);
    expect(await disableAutoBuy(ds.manager, sam, vega)).toEqual({ changed: true });
    expect(await disableAutoBuy(ds.manager, sam, vega)).toEqual({ changed: false });
    expect(await unsubscribe(ds.manager, sam, nova)).toEqual({ removed: true });
    expect(await unsubscribe(ds.manager, sam, nova)).toEqual({ removed: false });
    expect((await listSubscriptions(ds.manager, sam)).map((s) => [s.designerName, s.autoBuy])).toEqual([['Vega Flux', false]]);
  });
});

describe('readNotifications', () => {
  it('returns unread newest first and marks them read', async () => {
    const nova = await userId('nova');
    await ds.query(`INSERT INTO notifications (user_id, kind, text, created_at) VALUES
      ($1, 'sale', 'first', now() - interval '2 minutes'), ($1, 'sale', 'second', now() - interval '1 minute'), ($1, 'sale', 'old', now())`, [nova]);
    await ds.query(`UPDATE notifications SET read_at = now() WHERE text = 'old'`);
    const read = await ds.transaction((m) => readNotifications(m, nova));
    expect(read.items.map((n) => n.text)).toEqual(['second', 'first']);
    expect(read.remaining).toBe(0);
    expect((await ds.transaction((m) => readNotifications(m, nova))).items).toEqual([]);
  });
});

describe('listSubscribers', () => {
  it('counts a designer\'s subscribers and names the newest', async () => {
    const mira = await designer('mira okafor');
    expect(await listSubscribers(ds.manager, mira.id)).toEqual({ total: 0, newest: [] });
    await subscribe(ds.manager, await userId('sam'), mira);
    await subscribe(ds.manager, await userId('alex'), mira);
    const { total, newest } = await listSubscribers(ds.manager, mira.id, 1);
    expect(total).toBe(2);
    expect(newest).toHaveLength(1);
  });
});
