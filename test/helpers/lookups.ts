import { expect } from 'vitest';
import type { DataSource } from 'typeorm';
import { buyEditions } from '../../src/marketplace/index.js';

/** A user's id by username (the demo seed's accounts and the ones a test creates). */
export async function userIdOf(ds: DataSource, username: string): Promise<string> {
  const [row] = await ds.query('SELECT id FROM users WHERE username = $1', [username]) as { id: string }[];
  if (!row) throw new Error(`no user named ${username}`);
  return row.id;
}

/** A chip's id by its name. */
export async function chipIdOf(ds: DataSource, name: string): Promise<string> {
  const [row] = await ds.query('SELECT id FROM chips WHERE name = $1', [name]) as { id: string }[];
  if (!row) throw new Error(`no chip named ${name}`);
  return row.id;
}

/** Buys editions of a chip for a user through the marketplace's own order, in one transaction; it must succeed. */
export async function buyAs(ds: DataSource, username: string, chip: string, quantity: number, idempotencyKey: string): Promise<void> {
  const buyerId = await userIdOf(ds, username);
  const chipId = await chipIdOf(ds, chip);
  const result = await ds.transaction((m) => buyEditions(m, { buyerId, chipId, idempotencyKey, platformFeeBps: 1_000, quantity }));
  expect(result.kind).toBe('bought');
}
