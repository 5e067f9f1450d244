import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { User } from '../../src/db/entities/index.js';
import { balanceOf } from '../../src/marketplace/index.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { conversation } from './commands-helpers.js';

let t: TestApp;
let ds: DataSource;
let tokens: Record<string, string>;

const userId = async (username: string) => (await ds.getRepository(User).findOneByOrFail({ username })).id;
const logCount = async (username?: string): Promise<number> => {
  const [{ n }] = username
    ? await ds.query('SELECT COUNT(*)::int AS n FROM voice_commands WHERE user_id = $1', [await userId(username)])
    : await ds.query('SELECT COUNT(*)::int AS n FROM voice_commands');
  return n;
};

beforeAll(async () => {
  t = await createTestApp();
  ds = t.database.db.dataSource;
  tokens = await t.tokensFor(['alex', 'sam', 'nova', 'kenji', 'admin']);
});
afterAll(() => t?.close());

describe('POST /v1/commands', () => {
  it('needs a token and a valid body', async () => {
    const anonymous = await t.app.inject({ method: 'POST', url: '/v1/commands', payload: { text: 'what is my balance' } });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().error.code).toBe('HM_ERR_AUTH_REQUIRED');
    const headers = { authorization: `Bearer ${tokens.alex}` };
    for (const payload of [{}, { text: '' }, { text: 'x'.repeat(501) }, { text: 'hi', sessionId: 'bad id!' }, { text: 'hi', commandId: 'x'.repeat(129) }]) {
      const res = await t.app.inject({ method: 'POST', url: '/v1/commands', headers, payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error.code).toBe('HM_ERR_REQUEST_INVALID');
    }
  });

  it('answers a balance question with text, SSML and data, and logs it once', async () => {
    const before = await logCount('alex');
    const sent = performance.now();
    const r = await conversation(t.app, tokens.alex).say('what is my balance');
    const roundTripMs = performance.now() - sent;
    expect(r).toMatchObject({ intent: 'CheckBalance', outcome: 'ok', slots: {} });
    expect(r.reply.text).toBe('You have 500 credits.');
    expect(r.reply.ssml).toBe('<speak>You have <say-as interpret-as="cardinal">500</say-as> credits.</speak>');
    expect(r.reply.data).toEqual({ balance: 500 });
    expect(r.reply.expectsReply).toBe(false);
    expect(r.confidence).toBeGreaterThan(0.5);
    expect(await logCount('alex')).toBe(before + 1);
    const [row] = await ds.query('SELECT * FROM voice_commands WHERE command_id = $1', [r.commandId]);
    expect(row).toMatchObject({
      source: 'text', transcript: 'what is my balance', engine: 'text', intent: 'CheckBalance', outcome: 'ok',
      reply_text: 'You have 500 credits.', session_id: r.sessionId, asr_confidence: null,
    });
    // The logged latency is this command's own time in milliseconds, within its round trip.
    expect(row.latency_ms).toBeLessThanOrEqual(Math.ceil(roundTripMs));
  });

  it('says it did not catch gibberish (outcome not_understood, still logged)', async () => {
    const before = await logCount('sam');
    const r = await conversation(t.app, tokens.sam).say('purple monkey dishwasher');
    expect(r.outcome).toBe('not_understood');
    expect(r.intent).toBeNull();
    expect(r.reply.text).toMatch(/^Sorry, I didn't catch that/);
    expect(await logCount('sam')).toBe(before + 1);
  });

  it('buys after a read-back and a yes; a retried command id never charges twice', async () => {
    const alex = await userId('alex');
    const start = await balanceOf(ds.manager, alex);
    const c = conversation(t.app, tokens.alex);
    const ask = await c.say('buy neon dragon');
    expect(ask).toMatchObject({ intent: 'BuyChip', outcome: 'ok', slots: { chip: 'Neon Dragon' } });
    expect(ask.reply.text).toBe('Buy Neon Dragon by Nova for 25 credits? Say yes to confirm.');
    expect(ask.reply.expectsReply).toBe(true);
    expect(await balanceOf(ds.manager, alex)).toBe(start);

    const logsBefore = await logCount('alex');
    const replies = await Promise.all(Array.from({ length: 5 }, () => c.say('yes', { commandId: 'confirm-neon-1' })));
    for (const r of replies) {
      expect(r).toMatchObject({ commandId: 'confirm-neon-1', intent: 'BuyChip', outcome: 'ok' });
      expect(r.reply.text).toBe(`Done. You bought Neon Dragon number 1 for 25 credits. You have ${start - 25} credits left.`);
    }
    const again = await c.say('yes', { commandId: 'confirm-neon-1' });
    expect(again.reply.text).toBe(replies[0]!.reply.text);
    expect(await balanceOf(ds.manager, alex)).toBe(start - 25);
    expect(await logCount('alex')).toBe(logsBefore + 1);
    const [{ n }] = await ds.query(`SELECT COUNT(*)::int AS n FROM transactions WHERE buyer_id = $1`, [alex]);
    expect(n).toBe(1);
    // The designer hears about it.
    const nova = conversation(t.app, tokens.nova);
    const notes = await nova.say('read my notifications');
    expect(notes.reply.text).toBe('You have one new notification. alex bought Neon Dragon #1.');
    expect((await nova.say('read my notifications')).reply.text).toBe('You have no new notifications.');
  });

  it('refuses a purchase the balance does not cover (outcome rejected)', async () => {
    const c = conversation(t.app, tokens.sam); // 100 credits
    await c.say('buy quantum koi'); // 60
    expect((await c.say('yes')).outcome).toBe('ok');
    // Not asked at all: the read-back is only offered when the purchase can succeed.
    const r = await c.say('buy quantum koi');
    expect(r.outcome).toBe('rejected');
    expect(r.reply).toMatchObject({ text: 'Quantum Koi costs 60 credits, but you have only 40 credits. You could look for chips under 40 credits.', expectsReply: false });
    expect((await c.say('yes')).reply.text).toBe("There's nothing to confirm right now.");
    expect(await balanceOf(ds.manager, await userId('sam'))).toBe(40);
  });

  it('refuses sales summaries to clients and gives designers the right figures', async () => {
    const refused = await conversation(t.app, tokens.alex).say('how were my sales this week');
    expect(refused).toMatchObject({ intent: 'SalesSummary', outcome: 'rejected' });
    expect(refused.reply.text).toMatch(/^Sales summaries are for designers/);

    // Kenji so far: sam's Quantum Koi (60 − 6 fee = 54), moved back into last week.
    await ds.query(`UPDATE transactions SET created_at = created_at - interval '7 days' WHERE chip_id = (SELECT id FROM chips WHERE name = 'Quantum Koi')`);
    const kenji = conversation(t.app, tokens.kenji);
    expect((await kenji.say('how were my sales this week')).reply.text).toBe("This week you haven't sold any chips yet.");
    expect((await kenji.say('how were my sales last week')).reply.text).toBe('Last week you sold 1 chip for 54 credits. Quantum Koi was your best seller.');
    // alex buys Starlight Koi twice (Kenji's 30 % of 36 = 11 each); sam subscribes.
    const alex = conversation(t.app, tokens.alex);
    for (let i = 0; i < 2; i++) {
      await alex.say('buy starlight koi');
      expect((await alex.say('yes')).outcome).toBe('ok');
    }
    await conversation(t.app, tokens.sam).say('subscribe to kenji sato');
    const summary = await kenji.say('how were my sales this week');
    expect(summary).toMatchObject({ intent: 'SalesSummary', outcome: 'ok', slots: { period: 'this_week' } });
    expect(summary.reply.text).toBe('This week you sold 2 chips for 22 credits, down 59 percent. Starlight Koi was your best seller. You got one new subscriber.');
    expect(summary.reply.ssml).toContain('<say-as interpret-as="cardinal">59</say-as> percent');
    expect(summary.reply.data).toMatchObject({
      units: 2, revenue: 22, newSubscribers: 1, changePercent: -59, previous: { units: 1, revenue: 54 },
      topChip: { name: 'Starlight Koi', units: 2, revenue: 22 },
    });
    const allTime = await kenji.say('how much did i earn in total');
    expect(allTime.reply.data).toMatchObject({ period: 'all_time', units: 3, revenue: 76, changePercent: null });
    const nova = await conversation(t.app, tokens.nova).say('sales report for today');
    expect(nova.reply.data).toMatchObject({ period: 'today', units: 3, revenue: 23 + 25 + 25 });
  });
});

describe('GET /v1/history', () => {
  const history = (token: string, query = '') => t.app.inject({ method: 'GET', url: `/v1/history${query}`, headers: { authorization: `Bearer ${token}` } });

  it("returns the caller's own commands newest first, with keyset pages", async () => {
    const c = conversation(t.app, tokens.sam);
    for (const text of ['what is my balance', 'who am i subscribed to', 'help']) await c.say(text);
    const first = await history(tokens.sam, '?limit=2');
    expect(first.statusCode).toBe(200);
    const page1 = first.json();
    expect(page1.items.map((i: { transcript: string }) => i.transcript)).toEqual(['help', 'who am i subscribed to']);
    expect(page1.nextCursor).toEqual(expect.any(String));
    const page2 = (await history(tokens.sam, `?limit=2&cursor=${page1.nextCursor}`)).json();
    expect(page2.items[0].transcript).toBe('what is my balance');
    const all = (await history(tokens.sam, '?limit=100')).json();
    expect(all.nextCursor).toBeNull();
    expect(all.items).toHaveLength(await logCount('sam'));
    const samId = await userId('sam');
    const [{ n }] = await ds.query('SELECT COUNT(*)::int AS n FROM voice_commands WHERE user_id <> $1', [samId]);
    expect(n).toBeGreaterThan(0); // others have commands, and none of them showed up
    expect(all.items.every((i: { sessionId: string }) => typeof i.sessionId === 'string')).toBe(true);
  });

  it('filters by intent, outcome, text and time', async () => {
    const byIntent = (await history(tokens.sam, '?intent=CheckBalance')).json();
    expect(byIntent.items.length).toBeGreaterThan(0);
    expect(byIntent.items.every((i: { intent: string }) => i.intent === 'CheckBalance')).toBe(true);
    const byOutcome = (await history(tokens.sam, '?outcome=not_understood')).json();
    expect(byOutcome.items.map((i: { transcript: string }) => i.transcript)).toContain('purple monkey dishwasher');
    const byText = (await history(tokens.sam, '?q=MONKEY')).json();
    expect(byText.items).toHaveLength(1);
    const future = (await history(tokens.sam, `?from=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).json();
    expect(future.items).toHaveLength(0);
  });

  it("keeps users apart: 403 for someone else's history unless admin", async () => {
    expect((await history(tokens.alex, '?user=sam')).statusCode).toBe(403);
    expect((await history(tokens.alex, '?user=alex')).statusCode).toBe(200);
    const asAdmin = await history(tokens.admin, '?user=sam&limit=100');
    expect(asAdmin.statusCode).toBe(200);
    expect(asAdmin.json().items).toHaveLength(await logCount('sam'));
    expect((await history(tokens.admin, '?user=nobody')).statusCode).toBe(404);
    const badCursor = await history(tokens.alex, '?cursor=nonsense');
    expect(badCursor.statusCode).toBe(400);
    expect(badCursor.json()).toEqual({ error: { code: 'HM_ERR_REQUEST_INVALID', message: 'invalid request: cursor is not one this service returned' } });
    expect((await t.app.inject({ method: 'GET', url: '/v1/history' })).statusCode).toBe(401);
  });
});
