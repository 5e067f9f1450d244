import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { Chip, User } from '../../src/db/entities/index.js';
import { buyChip, getPreferences, recommend } from '../../src/marketplace/index.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { conversation } from '../http/commands-helpers.js';

let t: TestApp;
let ds: DataSource;
let tokens: Record<string, string>;
const userId = async (username: string) => (await ds.getRepository(User).findOneByOrFail({ username })).id;
const buy = async (username: string, chip: string, key: string) => {
  const { id } = await ds.getRepository(Chip).findOneByOrFail({ name: chip });
  const buyerId = await userId(username);
  const result = await ds.transaction((m) => buyChip(m, { buyerId, chipId: id, idempotencyKey: key, platformFeeBps: 1_000 }));
  expect(result.kind).toBe('bought');
};
const names = (found: { chips: readonly { name: string }[] }) => found.chips.map((c) => c.name);

beforeAll(async () => {
  t = await createTestApp();
  ds = t.database.db.dataSource;
  tokens = await t.tokensFor(['alex', 'sam', 'admin']);
});
afterAll(() => t?.close());

describe('SetPreference', () => {
  it('records liked and disliked tags said by voice', async () => {
    const { say } = conversation(t.app, tokens.alex!);
    expect((await say('I like cyberpunk chips')).reply.text).toBe("Got it, you like cyberpunk. I'll recommend more of it.");
    expect((await say('I really love neon')).reply.text).toBe("Got it, you like neon. I'll recommend more of it.");
    expect((await say('I really love neon')).reply.text).toBe('I already know you like neon.');
    expect((await say("I'm not into floral stuff")).reply.text).toBe("Got it, floral isn't for you. I won't recommend it.");
    const prefs = await getPreferences(ds.manager, await userId('alex'));
    expect(prefs.map((p) => [p.tag, p.liked, p.source])).toEqual([['cyberpunk', true, 'said'], ['neon', true, 'said'], ['floral', false, 'said']]);
  });
});

describe('Recommend', () => {
  it('ranks from liked tags, the favorite designer and subscriptions, never a disliked tag, with a reason', async () => {
    const alex = await userId('alex');
    const found = await recommend(ds.manager, alex, { limit: 9 });
    // Neon Dragon: neon + cyberpunk (6) + favorite Nova (1); Starlight Koi: neon (3) + Nova (1);
    // Quantum Koi: cyberpunk (3); Aria Chen's chips: subscribed (2); no floral chip at all.
    expect(names(found)).toEqual(['Neon Dragon', 'Starlight Koi', 'Quantum Koi', 'Crystal Wave', 'Paper Crane', 'Aurora Veil', 'Solar Flare']);
    expect(found.chips.map((c) => c.reason)).toEqual([
      { kind: 'liked_tag', tag: 'neon' }, { kind: 'liked_tag', tag: 'neon' }, { kind: 'liked_tag', tag: 'cyberpunk' },
      { kind: 'subscribed', designer: 'Aria Chen' }, { kind: 'subscribed', designer: 'Aria Chen' }, { kind: 'affordable' }, { kind: 'affordable' },
    ]);
    expect(await recommend(ds.manager, alex, { limit: 9 })).toEqual(found); // deterministic
    const { say } = conversation(t.app, tokens.alex!);
    const reply = await say('recommend me something');
    expect(reply.reply.text).toBe("I'd suggest 3 chips: Neon Dragon by Nova for 25 credits, because you like neon. Starlight Koi by Nova for 40 credits, because you like neon. Quantum Koi by Kenji Sato for 60 credits, because you like cyberpunk.");
    const asked = await say('suggest something cyberpunk under forty credits');
    expect(asked.reply.text).toBe("I'd suggest one chip: Neon Dragon by Nova for 25 credits, because you like neon.");
  });

  it('never suggests what the client owns, and learns from what similar collectors bought', async () => {
    await buy('alex', 'Neon Dragon', 'rec-1');
    await buy('sam', 'Neon Dragon', 'rec-2');
    await buy('sam', 'Solar Flare', 'rec-3');
    const alex = await userId('alex');
    const found = await recommend(ds.manager, alex, { limit: 9 });
    expect(names(found)).not.toContain('Neon Dragon');
    const solar = found.chips.find((c) => c.name === 'Solar Flare')!;
    expect(solar.reason).toEqual({ kind: 'co_purchase', chip: 'Neon Dragon' });
    // The purchase taught a taste: "dragon" is liked now (inferred, what alex said is kept).
    const prefs = await getPreferences(ds.manager, alex);
    expect(prefs.find((p) => p.tag === 'dragon')).toMatchObject({ liked: true, source: 'purchase' });
    expect(prefs.find((p) => p.tag === 'cyberpunk')).toMatchObject({ liked: true, source: 'said' });
    const { say } = conversation(t.app, tokens.alex!);
    expect((await say('what would you recommend by Vega Flux')).reply.text)
      .toBe("I'd suggest one chip: Solar Flare by Vega Flux for 50 credits, because collectors who own Neon Dragon bought it too.");
  });

  it('only suggests what is available and affordable', async () => {
    const sam = await userId('sam'); // 100 - 25 - 50 = 25 credits left
    await ds.query(`UPDATE chips SET editions_sold = edition_size WHERE name = 'Paper Crane'`);
    const found = await recommend(ds.manager, sam, { limit: 9 });
    expect(found.balance).toBe(25);
    expect(found.chips.every((c) => c.priceCredits <= 25)).toBe(true);
    expect(names(found)).toEqual(['Aurora Veil']);
    await ds.query(`UPDATE chips SET editions_sold = 0 WHERE name = 'Paper Crane'`);
  });
});

describe('preferences API', () => {
  it('reads and changes only the caller\'s own preferences', async () => {
    const mine = await t.app.inject({ method: 'GET', url: '/v1/me/preferences', headers: { authorization: `Bearer ${tokens.sam}` } });
    expect(mine.statusCode).toBe(200);
    // Only what sam's own purchases taught, none of what alex said.
    expect(mine.json().tags.map((p: { tag: string; source: string }) => [p.tag, p.source])).toEqual([
      ['cyberpunk', 'purchase'], ['dragon', 'purchase'], ['fire', 'purchase'], ['neon', 'purchase'], ['space', 'purchase'],
    ]);
    const set = await t.app.inject({ method: 'PUT', url: '/v1/me/preferences', headers: { authorization: `Bearer ${tokens.sam}` }, payload: { tag: 'Space', liked: false } });
    expect(set.statusCode).toBe(200);
    expect(set.json().tags).toContainEqual(expect.objectContaining({ tag: 'space', liked: false, source: 'said' }));
    const removed = await t.app.inject({ method: 'DELETE', url: '/v1/me/preferences/space', headers: { authorization: `Bearer ${tokens.sam}` } });
    expect(removed.statusCode).toBe(200);
    const again = await t.app.inject({ method: 'DELETE', url: '/v1/me/preferences/space', headers: { authorization: `Bearer ${tokens.sam}` } });
    expect(again.statusCode).toBe(404);
    const bad = await t.app.inject({ method: 'PUT', url: '/v1/me/preferences', headers: { authorization: `Bearer ${tokens.sam}` }, payload: { tag: 'x', liked: 'yes', user: 'alex' } });
    expect(bad.statusCode).toBe(400);
    expect((await t.app.inject({ method: 'GET', url: '/v1/me/preferences', headers: { authorization: `Bearer ${tokens.admin}` } })).statusCode).toBe(403);
    expect((await t.app.inject({ method: 'GET', url: '/v1/me/preferences' })).statusCode).toBe(401);
  });

  it('recommends over HTTP with the same ranking and reasons', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/recommendations?limit=2&tag=neon', headers: { authorization: `Bearer ${tokens.alex}` } });
    expect(res.statusCode).toBe(200);
    expect(res.json().chips.map((c: { name: string; reason: unknown }) => [c.name, c.reason])).toEqual([['Starlight Koi', { kind: 'liked_tag', tag: 'neon' }]]);
    const unknown = await t.app.inject({ method: 'GET', url: '/v1/recommendations?designer=Nobody', headers: { authorization: `Bearer ${tokens.alex}` } });
    expect(unknown.statusCode).toBe(404);
  });
});
