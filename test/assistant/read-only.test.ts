import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { isReadOnlyTurn } from '../../src/assistant/index.js';
import { User } from '../../src/db/entities/index.js';
import { EMPTY_STATE, READ_ONLY_INTENTS, runTurn } from '../../src/dialog/index.js';
import type { Principal } from '../../src/auth/tokens.js';
import type { Slots } from '../../src/contracts.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { conversation } from '../http/commands-helpers.js';
import { refuseLogRowsOfSession } from './helpers.js';

let t: TestApp;
let ds: DataSource;

const principalOf = async (username: string): Promise<Principal> => {
  const u = await ds.getRepository(User).findOneByOrFail({ username });
  return { userId: u.id, username: u.username, role: u.role };
};

/** Runs one turn in a transaction and tells whether it wrote anything (PostgreSQL assigns a transaction id on the first write). */
async function turnWrites(username: string, intent: string, slots: Slots = {}): Promise<{ wrote: boolean; outcome: string }> {
  const principal = await principalOf(username);
  const { lists } = await t.app.catalogLists.get();
  return ds.transaction(async (manager) => {
    const turn = await runTurn({
      manager, principal, commandId: randomUUID(), now: Date.now(), lists, confirmTimeoutS: 60, platformFeeBps: 1_000,
      understanding: { text: intent, intent, confidence: 1, slots }, heard: { source: 'text', confidence: 1 }, state: EMPTY_STATE,
    });
    const [{ xid }] = await manager.query('SELECT pg_current_xact_id_if_assigned()::text AS xid');
    return { wrote: xid !== null, outcome: turn.outcome };
  });
}

const post = (token: string, payload: Record<string, string>) =>
  t.app.inject({ method: 'POST', url: '/v1/commands', headers: { authorization: `Bearer ${token}` }, payload });
const logRows = async (commandId: string): Promise<number> =>
  (await ds.query('SELECT COUNT(*)::int AS n FROM voice_commands WHERE command_id = $1', [commandId]))[0].n;

beforeAll(async () => {
  t = await createTestApp();
  ds = t.database.db.dataSource;
  await refuseLogRowsOfSession(ds, 'doomed-session');
});
afterAll(() => t?.close());

describe('read-only turns', () => {
  it('write nothing for any read-only intent, with and without slots, for clients and designers', async () => {
    const cases: [string, string, Slots][] = [
      ['alex', 'CheckBalance', {}], ['alex', 'ListSubscriptions', {}], ['alex', 'SearchChips', { tag: 'koi' }],
      ['alex', 'SearchChips', { designer: 'Nova' }], ['alex', 'SearchChips', { designer: 'favorite' }], ['sam', 'SearchChips', { designer: 'favorite' }],
      ['nova', 'SalesSummary', { period: 'this_week' }], ['alex', 'SalesSummary', {}], ['alex', 'CommandHistory', { count: 3 }],
      ['alex', 'Help', {}], ['alex', 'Confirm', {}], ['alex', 'Deny', {}], ['alex', 'Cancel', {}],
      ['nova', 'MySubscribers', {}], ['alex', 'MySubscribers', {}], ['nova', 'BestSellers', {}], ['alex', 'BestSellers', {}],
      ['alex', 'SearchChips', { name: 'koi' }],
      // collections, profiles, verification, earnings
      ['alex', 'MyCollection', {}], ['alex', 'MyCollection', { designer: 'favorite' }], ['alex', 'ChipInfo', { chip: 'Neon Dragon' }], ['alex', 'ChipInfo', {}],
      ['sam', 'DesignerInfo', { designer: 'Nova' }], ['alex', 'VerifyChip', { chip: 'Solar Flare', edition: 1 }], ['alex', 'VerifyChip', { chip: 'Solar Flare' }],
      ['nova', 'Earnings', { period: 'this_month' }], ['alex', 'Earnings', {}],

      ['alex', 'ReadReviews', { designer: 'Nova' }], ['nova', 'ReadReviews', { designer: 'Aria Chen' }],
      ['alex', 'Recommend', {}], ['alex', 'Recommend', { tag: 'neon', maxPrice: 40 }], ['nova', 'Recommend', {}],
      ['alex', 'GroupNews', {}], ['nova', 'GroupNews', {}], ['alex', 'GroupNews', { group: 'Neon Nights' }],
    ];
    expect(new Set(cases.map(([, intent]) => intent))).toEqual(READ_ONLY_INTENTS);
    for (const [user, intent, slots] of cases) {
      expect(await turnWrites(user, intent, slots), `${user} ${intent} ${JSON.stringify(slots)}`).toMatchObject({ wrote: false });
    }
  });

  it('are told apart from turns that write (the check above can fail)', async () => {
    expect(await turnWrites('alex', 'WhatsNew')).toMatchObject({ wrote: true });
    expect(await turnWrites('sam', 'SubscribeDesigner', { designer: 'Mira Okafor' })).toMatchObject({ wrote: true, outcome: 'ok' });
    expect(isReadOnlyTurn(EMPTY_STATE, { text: 'x', intent: 'WhatsNew', confidence: 1, slots: {} })).toBe(false);
    expect(isReadOnlyTurn(EMPTY_STATE, { text: 'x', intent: null, confidence: 0, slots: {} })).toBe(true);
    const pending = { pending: { kind: 'remember_favorite', designerId: 'd', designer: 'Nova' } } as const;
    expect(isReadOnlyTurn(pending, { text: 'yes', intent: 'Confirm', confidence: 1, slots: {} })).toBe(false);
  });
});

describe('commands through the group commit', () => {
  it('answers many concurrent balance questions, each with its own committed row, in few transactions', async () => {
    const token = await t.tokenFor('alex');
    const sessionId = `burst-${randomUUID()}`;
    const replies = await Promise.all(Array.from({ length: 80 }, () => conversation(t.app, token, sessionId).say('what is my balance')));
    expect(new Set(replies.map((r) => `${r.intent} ${r.outcome} ${r.reply.text}`))).toEqual(new Set(['CheckBalance ok You have 500 credits.']));
    const rows = await ds.query('SELECT command_id, xmin::text AS tx FROM voice_commands WHERE session_id = $1', [sessionId]) as { command_id: string; tx: string }[];
    expect(rows.map((r) => r.command_id).sort()).toEqual(replies.map((r) => r.commandId).sort());
    expect(new Set(rows.map((r) => r.tx)).size).toBeLessThan(80);
  });

  it('answers a retried command id from the log, also when the retries race', async () => {
    const say = conversation(t.app, await t.tokenFor('sam')).say;
    const commandId = `retry-${randomUUID()}`;
    const [a, b] = await Promise.all([say('what is my balance', { commandId }), say('what is my balance', { commandId })]);
    const c = await say('list my subscriptions', { commandId }); // same id, other words: still the first answer
    expect(a).toMatchObject({ commandId, intent: 'CheckBalance', outcome: 'ok' });
    expect(b.reply).toEqual(a.reply);
    expect(c).toMatchObject({ intent: 'CheckBalance', reply: a.reply });
    expect(await logRows(commandId)).toBe(1);
  });

  it('never gives the answer when its log row cannot be written', async () => {
    const commandId = `doomed-${randomUUID()}`;
    const res = await post(await t.tokenFor('alex'), { text: 'what is my balance', sessionId: 'doomed-session', commandId });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: { code: 'HM_ERR_INTERNAL', message: 'internal error' } });
    expect(res.body).not.toMatch(/credits/);
    expect(await logRows(commandId)).toBe(0);
  });

  it('keeps a command that changes something in one transaction with its log row', async () => {
    const commandId = `doomed-${randomUUID()}`;
    const res = await post(await t.tokenFor('sam'), { text: 'subscribe to Vega Flux', sessionId: 'doomed-session', commandId });
    expect(res.statusCode).toBe(500);
    expect(res.json()).toEqual({ error: { code: 'HM_ERR_INTERNAL', message: 'internal error' } });
    expect(await logRows(commandId)).toBe(0);
    const sam = await principalOf('sam');
    const subscribed = await ds.query(
      `SELECT 1 FROM subscriptions s JOIN designer_profiles d ON d.user_id = s.designer_id WHERE s.client_id = $1 AND d.display_name = 'Vega Flux'`, [sam.userId]);
    expect(subscribed).toEqual([]);
  });
});

describe('a command without a session id', () => {
  it('starts a new session that skips loading state yet keeps what the turn leaves pending', async () => {
    const token = await t.tokenFor('alex');
    const first = await post(token, { text: 'buy the neon dragon chip' });
    expect(first.json()).toMatchObject({ intent: 'BuyChip', outcome: 'ok', reply: { expectsReply: true } });
    const { sessionId } = first.json() as { sessionId: string };
    const second = await post(token, { text: 'yes', sessionId });
    expect(second.json()).toMatchObject({ intent: 'BuyChip', outcome: 'ok', reply: { expectsReply: false } });
    // Without the session id the confirmation belongs to no dialog.
    const stray = await post(token, { text: 'yes' });
    expect(stray.json()).toMatchObject({ intent: 'Confirm', outcome: 'rejected' });
  });
});
