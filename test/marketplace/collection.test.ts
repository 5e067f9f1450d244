import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { conversation } from '../http/commands-helpers.js';
import { buyAs } from '../helpers/lookups.js';

/** "What do I own": a client's editions grouped by chip, by voice and over HTTP, never someone else's. */

let t: TestApp;
let ds: DataSource;


const buy = (username: string, chip: string, quantity: number, key: string): Promise<void> => buyAs(ds, username, chip, quantity, key);

async function get(username: string, url: string) {
  return t.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${await t.tokenFor(username)}` } });
}

beforeAll(async () => {
  t = await createTestApp();
  ds = t.database.db.dataSource;
  await buy('sam', 'Neon Dragon', 1, 'sam-1');
  await buy('alex', 'Neon Dragon', 2, 'alex-1');
  await buy('alex', 'Paper Crane', 1, 'alex-2');
  await buy('alex', 'Glitch Garden', 1, 'alex-3');
});
afterAll(() => t?.close());

describe('my collection', () => {
  it('lists the caller\'s editions grouped by chip with their numbers', async () => {
    const res = await get('alex', '/v1/collection');
    expect(res.statusCode, res.body).toBe(200);
    const body = res.json<{ editions: number; chips: { name: string; designerName: string; editionNumbers: number[] }[] }>();
    expect(body.editions).toBe(4);
    expect(body.chips.map((c) => [c.name, c.designerName, c.editionNumbers])).toEqual([
      ['Glitch Garden', 'Lumen Labs', [1]], ['Neon Dragon', 'Nova', [2, 3]], ['Paper Crane', 'Aria Chen', [1]],
    ]);
  });

  it('filters by a designer, collaborations included', async () => {
    const res = await get('alex', `/v1/collection?designer=${encodeURIComponent('Vega Flux')}`);
    expect(res.json<{ chips: { name: string }[] }>().chips.map((c) => c.name)).toEqual(['Glitch Garden']);
    expect((await get('alex', '/v1/collection?designer=Nobody')).statusCode).toBe(404);
  });

  it('never shows another client\'s editions, and has no way to ask for them', async () => {
    const sam = await get('sam', '/v1/collection');
    expect(sam.json<{ chips: { name: string; editionNumbers: number[] }[] }>().chips).toEqual([
      expect.objectContaining({ name: 'Neon Dragon', editionNumbers: [1] }),
    ]);
    // An unknown parameter is dropped by the schema: still the caller's own collection.
    const other = await get('sam', '/v1/collection?user=alex');
    expect(other.json()).toEqual(sam.json());
    expect((await t.app.inject({ method: 'GET', url: '/v1/collection' })).statusCode).toBe(401);
  });

  it('speaks a short summary', async () => {
    const alex = conversation(t.app, await t.tokenFor('alex'));
    const all = await alex.say('what chips do I own');
    expect(all.intent).toBe('MyCollection');
    expect(all.reply.text).toBe('You own 4 chips: Glitch Garden number 1, Neon Dragon numbers 2 and 3 and Paper Crane number 1.');
    expect(all.reply.ssml).toContain('Neon Dragon numbers <say-as interpret-as="cardinal">2</say-as>');
    const nova = await alex.say('which Nova chips do I have');
    expect(nova.reply.text).toBe('You own 2 chips by Nova: Neon Dragon numbers 2 and 3.');
    const kenji = await alex.say('do I own any Kenji Sato chips');
    expect(kenji.reply.text).toBe("You don't own any chips by Kenji Sato yet.");
    const admin = conversation(t.app, await t.tokenFor('admin'));
    expect((await admin.say('show my collection')).reply.text).toBe("You don't own any chips yet.");
  });
});
