import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { createCommandLogWriter, type CommandLogEntry } from '../../src/assistant/index.js';
import { User } from '../../src/db/entities/index.js';
import { seedDemoCatalog } from '../../src/demo/seed.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { refuseLogRowsOfSession } from './helpers.js';

let database: TestDatabase;
let ds: DataSource;
let alex: string;

const entry = (overrides: Partial<CommandLogEntry> = {}): CommandLogEntry => ({
  commandId: randomUUID(), userId: alex, sessionId: 'writer-session', transcript: { text: 'what is my balance', source: 'text', confidence: 1, engine: 'text' },
  intent: 'CheckBalance', slots: {}, nluConfidence: 1, outcome: 'ok', reply: { text: 'You have 500 credits.', ssml: '<speak>You have 500 credits.</speak>' }, latencyMs: 2,
  ...overrides,
});
const rowsOf = async (commandIds: readonly string[]): Promise<Set<string>> =>
  new Set((await ds.query('SELECT command_id FROM voice_commands WHERE command_id = ANY($1)', [commandIds]) as { command_id: string }[]).map((r) => r.command_id));

beforeAll(async () => {
  database = await createTestDatabase();
  ds = database.db.dataSource;
  await seedDemoCatalog(ds, { activity: false });
  alex = (await ds.getRepository(User).findOneByOrFail({ username: 'alex' })).id;
  await refuseLogRowsOfSession(ds, 'doomed-session');
});
afterAll(() => database?.close());

describe('command log group commit', () => {
  it('commits every row of many concurrent commands, in fewer transactions than rows, before resolving', async () => {
    const writer = createCommandLogWriter(ds);
    const entries = Array.from({ length: 300 }, (_, i) => entry({ sessionId: 'many-session', latencyMs: i }));
    const results = await Promise.all(entries.map(async (e) => {
      const logged = await writer.write(e);
      // Resolved means committed: another connection sees the row at once.
      const [row] = await ds.query('SELECT latency_ms FROM voice_commands WHERE user_id = $1 AND command_id = $2', [alex, e.commandId]);
      return { logged, row };
    }));
    expect(results.every((r) => r.logged)).toBe(true);
    expect(results.map((r) => r.row?.latency_ms)).toEqual(entries.map((e) => e.latencyMs));
    // Rows written by one statement share its transaction id.
    const [{ transactions }] = await ds.query(`SELECT COUNT(DISTINCT xmin::text)::int AS transactions FROM voice_commands WHERE session_id = 'many-session'`);
    expect(transactions).toBeLessThan(300);
  });

  it('writes a command id once per user: a repeat in the same batch or later resolves false', async () => {
    const writer = createCommandLogWriter(ds);
    const commandId = randomUUID();
    const first = await Promise.all([writer.write(entry({ commandId })), writer.write(entry({ commandId, reply: { text: 'other', ssml: '' } }))]);
    expect(first).toEqual([true, false]);
    expect(await writer.write(entry({ commandId }))).toBe(false);
    const rows = await ds.query('SELECT reply_text FROM voice_commands WHERE command_id = $1', [commandId]);
    expect(rows).toEqual([{ reply_text: 'You have 500 credits.' }]);
    // The same id under another user is another command.
    const sam = (await ds.getRepository(User).findOneByOrFail({ username: 'sam' })).id;
    expect(await writer.write(entry({ commandId, userId: sam }))).toBe(true);
  });

  it('fails the commands of a failed INSERT and acknowledges only rows that are committed', async () => {
    // Small batches, so some hold a doomed row and fail whole while others commit.
    const writer = createCommandLogWriter(ds, { maxBatch: 7 });
    const entries = Array.from({ length: 60 }, (_, i) => entry({ sessionId: i % 10 === 0 ? 'doomed-session' : 'mixed-session' }));
    const outcomes = await Promise.allSettled(entries.map((e) => writer.write(e)));
    const committed = await rowsOf(entries.map((e) => e.commandId));
    outcomes.forEach((o, i) => {
      // Acknowledged exactly when the row is there; a doomed row is never acknowledged.
      expect(o.status === 'fulfilled' && o.value, `entry ${i}`).toBe(committed.has(entries[i]!.commandId));
      if (entries[i]!.sessionId === 'doomed-session') expect(o.status).toBe('rejected');
    });
    const rejected = outcomes.filter((o): o is PromiseRejectedResult => o.status === 'rejected');
    expect(rejected[0]?.reason.message).toMatch(/no space left/);
    expect(committed.size).toBeGreaterThan(0);
    expect(committed.size + rejected.length).toBe(entries.length);
    // Once the failure is gone the writer goes on.
    const later = entry();
    expect(await writer.write(later)).toBe(true);
    expect(await rowsOf([later.commandId])).toEqual(new Set([later.commandId]));
  });

  it('isolates a row that breaks a constraint: the other rows of its batch are still written', async () => {
    const writer = createCommandLogWriter(ds);
    const good = Array.from({ length: 20 }, () => entry());
    const orphan = entry({ userId: randomUUID() }); // no such user: foreign key violation
    const outcomes = await Promise.allSettled([...good, orphan].map((e) => writer.write(e)));
    expect(outcomes.slice(0, 20).map((o) => o.status === 'fulfilled' && o.value)).toEqual(good.map(() => true));
    expect(outcomes[20]!.status).toBe('rejected');
    expect(await rowsOf(good.map((e) => e.commandId))).toEqual(new Set(good.map((e) => e.commandId)));
  });

  it('refuses batch settings it could not honour', () => {
    expect(() => createCommandLogWriter(ds, { maxBatch: 0 })).toThrow(RangeError);
    expect(() => createCommandLogWriter(ds, { maxBatch: 5_000 })).toThrow(RangeError);
    expect(() => createCommandLogWriter(ds, { maxInFlight: 1.5 })).toThrow(RangeError);
  });

  it('flush() waits for the rows handed over', async () => {
    const writer = createCommandLogWriter(ds);
    const e = entry();
    let done = false;
    void writer.write(e).then(() => { done = true; });
    await writer.flush();
    expect(done).toBe(true);
    expect(await rowsOf([e.commandId])).toEqual(new Set([e.commandId]));
    await writer.flush(); // nothing pending: resolves at once
  });
});
