import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { buyEditions } from '../../src/marketplace/index.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { conversation } from '../http/commands-helpers.js';
import { chipIdOf, userIdOf } from '../helpers/lookups.js';
import { answerCollaboration, publishChip } from '../helpers/chips.js';

/** Chip verification: hashes recomputed from stored metadata, provenance from the ledger, owners kept private. */

let t: TestApp;
let ds: DataSource;

const userId = (username: string): Promise<string> => userIdOf(ds, username);
const chipId = (name: string): Promise<string> => chipIdOf(ds, name);
const today = new Date().toLocaleDateString('en-US', { month: 'long', day: 'numeric', timeZone: 'UTC' });

async function verify(username: string, chip: string, edition?: number) {
  const res = await t.app.inject({
    method: 'GET', url: `/v1/chips/${chip}/verify${edition === undefined ? '' : `?edition=${edition}`}`,
    headers: { authorization: `Bearer ${await t.tokenFor(username)}` },
  });
  expect(res.statusCode, res.body).toBe(200);
  return res;
}

beforeAll(async () => {
  t = await createTestApp();
  ds = t.database.db.dataSource;
  const solar = await chipId('Solar Flare');
  const bought = await ds.transaction(async (m) => buyEditions(m, { buyerId: await userId('alex'), chipId: solar, idempotencyKey: 'alex-solar', platformFeeBps: 1_000, quantity: 2 }));
  expect(bought.kind).toBe('bought');
});
afterAll(() => t?.close());

describe('verifying a chip', () => {
  it('recomputes the hash of a demo chip from its columns and of a published chip from its stored metadata', async () => {
    const demo = (await verify('sam', await chipId('Neon Dragon'))).json<{ isAuthentic: boolean; metadataSource: string; tokenIdMatches: boolean }>();
    expect(demo).toMatchObject({ isAuthentic: true, metadataSource: 'rebuilt', tokenIdMatches: true });

    // Declining a collaboration changes the shares after publication: the metadata as published still checks out.
    const { id } = await publishChip(t, 'nova', { name: 'Signal Fern', priceCredits: 9, editionSize: 3, tags: ['fern'], collaborators: [{ designer: 'Mira Okafor', shareBps: 2_000 }] });
    await answerCollaboration(t, 'mira', id, false);
    const published = (await verify('sam', id)).json<{ isAuthentic: boolean; metadataSource: string; recomputedHash: string; chip: { metadataHash: string } }>();
    expect(published).toMatchObject({ isAuthentic: true, metadataSource: 'stored' });
    expect(published.recomputedHash).toBe(published.chip.metadataHash);
  });

  it('finds a chip whose columns were changed behind its hash, and says so', async () => {
    const { id } = await publishChip(t, 'nova', { name: 'Mirror Fern', priceCredits: 9, editionSize: 3, tags: ['fern'] });
    await ds.query(`UPDATE chips SET edition_size = 300 WHERE id = $1`, [id]);
    expect((await verify('sam', id)).json<{ isAuthentic: boolean }>().isAuthentic).toBe(false);
    await t.app.catalogLists.invalidate();
    const said = await conversation(t.app, await t.tokenFor('sam')).say('is Mirror Fern authentic');
    expect(said.intent).toBe('VerifyChip');
    expect(said.reply.text).toBe("Warning: Mirror Fern does not check out. Its metadata hash doesn't match its stored metadata, so don't trust it.");
    await ds.query(`UPDATE chips SET metadata = jsonb_set(metadata, '{editionSize}', '300') WHERE id = $1`, [id]);
    // The metadata rewritten to match: now its hash no longer does.
    expect((await verify('sam', id)).json<{ isAuthentic: boolean }>().isAuthentic).toBe(false);
  });

  it('gives an edition\'s provenance from the ledger, naming the owner only to them and to admins', async () => {
    const solar = await chipId('Solar Flare');
    const own = (await verify('alex', solar, 1)).json<{ edition: { owner: unknown; provenance: { buyer: unknown; priceCredits: number; ledgerConfirmed: boolean } } }>();
    expect(own.edition.owner).toEqual({ kind: 'you' });
    expect(own.edition.provenance).toMatchObject({ buyer: { kind: 'you' }, priceCredits: 50, ledgerConfirmed: true, kind: 'purchase' });

    const other = await verify('sam', solar, 1);
    expect(other.json<{ edition: { owner: unknown; provenance: { buyer: unknown } } }>().edition).toMatchObject({ owner: { kind: 'collector' }, provenance: { buyer: { kind: 'collector' } } });
    expect(other.body).not.toContain('alex');
    expect(other.body).not.toContain(await userId('alex'));

    const admin = (await verify('admin', solar, 1)).json<{ edition: { owner: unknown } }>();
    expect(admin.edition.owner).toEqual({ kind: 'user', username: 'alex' });

    const unsold = (await verify('sam', solar, 9)).json<{ edition: { isSold: boolean; owner: unknown } }>();
    expect(unsold.edition).toMatchObject({ isSold: false, owner: null });
    expect((await t.app.inject({ method: 'GET', url: `/v1/chips/${solar}/verify` })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'GET', url: `/v1/chips/${solar}/verify?edition=0`, headers: { authorization: `Bearer ${await t.tokenFor('sam')}` } })).statusCode).toBe(400);
  });

  it('says it by voice: authentic, whose it is, and when it was bought', async () => {
    const sam = conversation(t.app, await t.tokenFor('sam'));
    expect((await sam.say('who owns edition one of Solar Flare')).reply.text)
      .toBe(`Solar Flare is authentic: its token ID and metadata hash check out. Number 1 is owned by a collector, who bought it on ${today} for 50 credits.`);
    expect((await sam.say('verify Solar Flare number 80')).reply.text)
      .toBe('Solar Flare is authentic: its token ID and metadata hash check out. It has only 75 editions, so there is no number 80.');
    expect((await sam.say('verify edition twelve of Solar Flare')).reply.text)
      .toBe("Solar Flare is authentic: its token ID and metadata hash check out. Number 12 hasn't been sold yet.");
    const alex = conversation(t.app, await t.tokenFor('alex'));
    expect((await alex.say('is my Solar Flare authentic')).reply.text)
      .toBe('Solar Flare is authentic: its token ID and metadata hash check out. You own numbers 1 and 2.');
    expect((await alex.say('who owns Solar Flare number 2')).reply.text)
      .toBe(`Solar Flare is authentic: its token ID and metadata hash check out. Number 2 is yours: you bought it on ${today} for 50 credits.`);
    const admin = conversation(t.app, await t.tokenFor('admin'));
    expect((await admin.say('who owns edition 2 of Solar Flare')).reply.text).toContain('Number 2 is owned by alex, who bought it');
  });
});
