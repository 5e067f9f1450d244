import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { buyChip } from '../../src/marketplace/index.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { conversation } from '../http/commands-helpers.js';
import { chipIdOf, userIdOf } from '../helpers/lookups.js';
import { answerCollaboration, publishChip } from '../helpers/chips.js';

/** Chip and designer profiles: public over HTTP, and spoken for "how much is …", "who is …". */

let t: TestApp;
let ds: DataSource;

const chipId = (name: string): Promise<string> => chipIdOf(ds, name);
const userId = (username: string): Promise<string> => userIdOf(ds, username);

beforeAll(async () => {
  t = await createTestApp();
  ds = t.database.db.dataSource;
});
afterAll(() => t?.close());

describe('chip profiles', () => {
  it('GET /v1/chips/:chipId answers without signing in: price, editions left, designers and shares, tags', async () => {
    const res = await t.app.inject({ method: 'GET', url: `/v1/chips/${await chipId('Starlight Koi')}` });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<Record<string, unknown>>();
    expect(body).toMatchObject({
      name: 'Starlight Koi', designer: { name: 'Nova' }, priceCredits: 40, editionSize: 50, editionsSold: 0, editionsLeft: 50, isSoldOut: false,
      tags: ['neon', 'fish', 'calm'],
    });
    expect((body.shares as { name: string; shareBps: number }[]).map((s) => [s.name, s.shareBps])).toEqual([['Nova', 7_000], ['Kenji Sato', 3_000]]);
    expect(body.tokenId).toMatch(/^hm-/);
    expect(body.metadataHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('shows an invited collaborator only once they accept (until then the publisher is paid their share)', async () => {
    const { id } = await publishChip(t, 'nova', { name: 'Echo Moth', priceCredits: 12, editionSize: 5, tags: ['moth'], collaborators: [{ designer: 'Vega Flux', shareBps: 4_000 }] });
    const shares = async () => (await t.app.inject({ method: 'GET', url: `/v1/chips/${id}` })).json<{ shares: { name: string; shareBps: number }[] }>().shares.map((s) => [s.name, s.shareBps]);
    expect(await shares()).toEqual([['Nova', 10_000]]);
    await answerCollaboration(t, 'vega', id, true);
    expect(await shares()).toEqual([['Nova', 6_000], ['Vega Flux', 4_000]]);
  });

  it('answers bad and unknown ids with catalog errors', async () => {
    const bad = await t.app.inject({ method: 'GET', url: '/v1/chips/not-a-uuid' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json<{ error: { code: string } }>().error.code).toBe('HM_ERR_REQUEST_INVALID');
    const missing = await t.app.inject({ method: 'GET', url: '/v1/chips/00000000-0000-4000-8000-000000000000' });
    expect(missing.statusCode).toBe(404);
    expect(missing.json<{ error: { code: string } }>().error.code).toBe('HM_ERR_REQUEST_NOT_FOUND');
  });

  it('speaks the price, the editions left, the designers and the tags, whatever was asked', async () => {
    const c = conversation(t.app, await t.tokenFor('sam'));
    const left = await c.say('how many Quantum Koi are left');
    expect(left.intent).toBe('ChipInfo');
    expect(left.reply.text).toBe('Quantum Koi is by Kenji Sato. It costs 60 credits, and 10 of 10 editions are left. Tagged cyberpunk and fish.');
    expect((await c.say('who made Starlight Koi')).reply.text)
      .toBe('Starlight Koi is by Nova and Kenji Sato, sharing its royalties 70 and 30 percent. It costs 40 credits, and 50 of 50 editions are left. Tagged neon, fish and calm.');
    expect((await c.say('how much is Aurora Veil')).reply.text)
      .toBe("Aurora Veil is by Lumen Labs. It costs 20 credits, and it's an open edition, so it never sells out. Tagged light and nature.");
    const rare = (await publishChip(t, 'nova', { name: 'Lone Comet', priceCredits: 5, editionSize: 1, tags: [] })).id;
    expect((await ds.transaction(async (m) => buyChip(m, { buyerId: await userId('alex'), chipId: rare, idempotencyKey: 'lone', platformFeeBps: 1_000 }))).kind).toBe('bought');
    const soldOut = await c.say('is Lone Comet sold out');
    expect(soldOut.reply.text).toBe("Lone Comet is by Nova. It's sold out: its one edition is taken.");
    expect(soldOut.outcome).toBe('ok');
  });
});

describe('designer profiles', () => {
  it('GET /v1/designers/:name (any case) answers without signing in: bio, rating, chips, subscribers, portfolio', async () => {
    for (const [who, stars] of [['alex', 5], ['sam', 4]] as const) {
      const reply = await conversation(t.app, await t.tokenFor(who)).say(`rate Kenji Sato ${stars} stars`);
      expect(reply.outcome).toBe('ok');
    }
    await conversation(t.app, await t.tokenFor('sam')).say('subscribe to Kenji Sato');
    await ds.query(`UPDATE designer_profiles SET portfolio_urls = '{https://example.com/kenji}' WHERE display_name = 'Kenji Sato'`);
    const res = await t.app.inject({ method: 'GET', url: '/v1/designers/kenji%20sato' });
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{ name: string; bio: string; rating: unknown; subscribers: number; portfolioUrls: string[]; chips: { name: string; isOwn: boolean }[] }>();
    expect(body).toMatchObject({ name: 'Kenji Sato', bio: 'Quantum fish and calm machines.', rating: { average: 4.5, count: 2 }, subscribers: 1, portfolioUrls: ['https://example.com/kenji'] });
    expect(body.chips.map((c) => [c.name, c.isOwn]).sort()).toEqual([['Quantum Koi', true], ['Starlight Koi', false]]);
    expect((await t.app.inject({ method: 'GET', url: '/v1/designers/Nobody' })).statusCode).toBe(404);
  });

  it('speaks the bio, the rating, the chips and the subscribers', async () => {
    const c = conversation(t.app, await t.tokenFor('alex'));
    const kenji = await c.say("what's Kenji Sato's rating");
    expect(kenji.intent).toBe('DesignerInfo');
    // Chips newest first (the seed publishes them in one go, so either order).
    expect(kenji.reply.text).toMatch(/^Kenji Sato: Quantum fish and calm machines\. Rated 4\.5 out of 5 from 2 ratings\. Kenji Sato has 2 chips, (Quantum Koi and Starlight Koi|Starlight Koi and Quantum Koi), and one subscriber\.$/);
    expect((await c.say('who is Lumen Labs')).intent).toBe('DesignerInfo');
    const mira = await c.say('who is Mira Okafor');
    expect(mira.reply.text).toBe('Mira Okafor: Dark florals. No ratings yet. Mira Okafor has one chip, Midnight Bloom, and 0 subscribers.');
  });
});
