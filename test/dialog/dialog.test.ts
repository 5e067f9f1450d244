import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DataSource } from 'typeorm';
import { ClientProfile, User } from '../../src/db/entities/index.js';
import { createAssistant } from '../../src/assistant/index.js';
import { balanceOf } from '../../src/marketplace/index.js';
import type { Principal } from '../../src/auth/tokens.js';
import type { Understanding } from '../../src/contracts.js';
import { createSecondInstance, createTestApp, type TestApp } from '../helpers/app.js';
import { conversation } from '../http/commands-helpers.js';
import { REDIS_MISSING, skipWithout } from '../helpers/skip.js';

let t: TestApp;
let ds: DataSource;
let tokens: Record<string, string>;

const user = (username: string) => ds.getRepository(User).findOneByOrFail({ username });
const principalOf = async (username: string): Promise<Principal> => {
  const u = await user(username);
  return { userId: u.id, username: u.username, role: u.role };
};
const commandRows = async (sessionId: string): Promise<number> =>
  (await ds.query('SELECT COUNT(*)::int AS n FROM voice_commands WHERE session_id = $1', [sessionId]))[0].n;

/**
 * An assistant on the test app's database and store with the real intent engine, except for a few
 * utterances mapped to partial understandings (the templates always name the designer or chip, so
 * "Which designer?" comes from engines that heard less: a deleted slot, a noisy transcript).
 */
async function assistantWith(partial: Record<string, Omit<Understanding, 'text'>>, now?: () => number) {
  const { createIntentEngine } = await import('../../src/nlu/index.js');
  const { loadIntentSet } = await import('../../src/load-intents.js');
  const engine = createIntentEngine(await loadIntentSet(), { threshold: 0.5 });
  const assistant = createAssistant({
    dataSource: ds, sessionStore: t.app.sessionStore, pubsub: t.app.pubsub, catalog: t.app.catalogLists,
    recognizer: { recognize: (text, lists) => (partial[text] ? { text, ...partial[text] } : engine.recognize(text, lists)) },
    settings: { confirmTimeoutS: 60, sessionTtlS: 600, platformFeeBps: 1_000 },
    ...(now ? { now } : {}),
  });
  return async (username: string, sessionId: string) => {
    const principal = await principalOf(username);
    return (text: string) => assistant.handle({ principal, sessionId, transcript: { text, source: 'voice', confidence: 0.9, engine: 'test' } });
  };
}

beforeAll(async () => {
  t = await createTestApp();
  ds = t.database.db.dataSource;
  tokens = await t.tokensFor(['alex', 'sam', 'nova', 'kenji']);
});
afterAll(() => t?.close());

describe('slot filling', () => {
  it('asks for a missing designer and takes a bare name as the answer', async () => {
    const session = await assistantWith({ 'rate 4 stars': { intent: 'RateDesigner', confidence: 0.6, slots: { rating: 4 } } });
    const say = await session('sam', 'slot-designer-1');
    const ask = await say('rate 4 stars');
    expect(ask.reply.text).toBe('Which designer would you like to rate?');
    expect(ask.reply.expectsReply).toBe(true);
    const done = await say('Nova');
    expect(done).toMatchObject({ outcome: 'ok', understanding: { intent: 'RateDesigner', slots: { designer: 'Nova', rating: 4 } } });
    expect(done.reply.text).toBe('Thanks. You gave Nova 4 stars.');
    const [nova] = await ds.query(`SELECT rating_count, rating_total FROM designer_profiles WHERE display_name = 'Nova'`);
    expect(nova).toEqual({ rating_count: 1, rating_total: 4 });
    // A second rating replaces the first.
    expect((await say('rate nova 2 stars')).reply.text).toBe('Thanks. I changed your rating of Nova to 2 stars.');
    const [after] = await ds.query(`SELECT rating_count, rating_total FROM designer_profiles WHERE display_name = 'Nova'`);
    expect(after).toEqual({ rating_count: 1, rating_total: 2 });
    expect(await commandRows('slot-designer-1')).toBe(3);
  });

  it('asks which chip, accepts "the neon dragon", then reads the purchase back', async () => {
    const session = await assistantWith({ 'buy one': { intent: 'BuyChip', confidence: 0.6, slots: {} } });
    const say = await session('alex', 'slot-chip-1');
    expect((await say('buy one')).reply.text).toBe('Which chip would you like to buy?');
    const readBack = await say('the neon dragon');
    expect(readBack.reply.text).toBe('Buy Neon Dragon by Nova for 25 credits? Say yes to confirm.');
    expect(readBack.understanding).toMatchObject({ intent: 'BuyChip', slots: { chip: 'Neon Dragon' } });
    expect((await say('no')).reply.text).toBe("Okay, I won't buy it.");
  });

  it('says it does not know a designer, and keeps asking', async () => {
    expect((await conversation(t.app, tokens.sam).say('subscribe to bob')).reply.text).toBe("I don't know a designer called bob.");
    const session = await assistantWith({ 'rate 5 stars': { intent: 'RateDesigner', confidence: 0.6, slots: { rating: 5 } } });
    const say = await session('sam', 'slot-unknown-1');
    await say('rate 5 stars');
    const r = await say('Zorro');
    expect(r.outcome).toBe('rejected');
    expect(r.reply.text).toBe("I don't know a designer called Zorro. Which designer would you like to rate?");
    expect((await say('Kenji')).reply.text).toBe('Thanks. You gave Kenji Sato 5 stars.');
  });

  it('lets a new command replace the question', async () => {
    const session = await assistantWith({ 'rate 3 stars': { intent: 'RateDesigner', confidence: 0.6, slots: { rating: 3 } } });
    const say = await session('sam', 'slot-replaced-1');
    await say('rate 3 stars');
    const r = await say('subscribe to kenji sato');
    expect(r).toMatchObject({ outcome: 'ok', understanding: { intent: 'SubscribeDesigner' } });
    expect((await say('yes')).reply.text).toBe("There's nothing to confirm right now.");
  });

  it('does not guess when a bare name could be several commands', async () => {
    const r = await conversation(t.app, tokens.sam).say('Nova');
    expect(r.outcome).toBe('not_understood');
  });
});

describe('confirmation', () => {
  it('drops a purchase on no, and on cancel', async () => {
    const alex = (await user('alex')).id;
    const start = await balanceOf(ds.manager, alex);
    const c = conversation(t.app, tokens.alex);
    await c.say('buy paper crane');
    const no = await c.say('no');
    expect(no).toMatchObject({ intent: 'Deny', outcome: 'ok' });
    expect(no.reply.text).toBe("Okay, I won't buy it.");
    expect(no.reply.expectsReply).toBe(false);
    expect((await c.say('yes')).reply.text).toBe("There's nothing to confirm right now.");
    await c.say('turn on auto buy for nova under 30 credits');
    expect((await c.say('cancel')).reply.text).toBe("Okay, I won't turn on auto buy.");
    expect(await balanceOf(ds.manager, alex)).toBe(start);
    expect(await commandRows(c.sessionId)).toBe(5);
  });

  it('enables auto-buy after a yes, subscribing when needed', async () => {
    const c = conversation(t.app, tokens.sam);
    expect((await c.say('turn on auto buy for vega flux under 60 credits')).reply.text)
      .toBe('Automatically buy new chips from Vega Flux up to 60 credits? Say yes to confirm.');
    expect((await c.say('yes')).reply.text).toBe('Auto buy is on for Vega Flux, up to 60 credits. I subscribed you too.');
    expect((await c.say('who am i subscribed to')).reply.text).toContain('Vega Flux with auto buy up to 60 credits');
    expect((await c.say('turn off auto buy for vega flux')).reply.text).toBe('Auto buy is off for Vega Flux.');
  });

  it('lets a pending confirmation expire (clock)', async () => {
    let clock = Date.now();
    const say = await (await assistantWith({}, () => clock))('alex', 'expiry-clock');
    await say('buy crystal wave');
    clock += 59_000;
    expect((await say('what is my balance')).outcome).toBe('ok'); // a new command drops the old question
    await say('buy crystal wave');
    clock += 61_000;
    const late = await say('yes');
    expect(late.outcome).toBe('rejected');
    expect(late.reply.text).toBe('That request expired. Please ask again.');
    expect((await say('yes')).reply.text).toBe("There's nothing to confirm right now.");
    await say('buy crystal wave');
    clock += 30_000;
    expect((await say('yes')).reply.text).toMatch(/^Done. You bought Crystal Wave number 1 for 30 credits/);
  });

  it('lets a pending confirmation expire after CONFIRM_TIMEOUT_S, on the app\'s own clock', async () => {
    // Date is faked (still running) and moved on, rather than waiting five real seconds.
    vi.useFakeTimers({ toFake: ['Date'], shouldAdvanceTime: true });
    const short = await createTestApp({ CONFIRM_TIMEOUT_S: '5' });
    try {
      const c = conversation(short.app, await short.tokenFor('sam'));
      await c.say('buy aurora veil');
      vi.setSystemTime(Date.now() + 4_000);
      expect((await c.say('yes')).reply.text).toMatch(/^Done. You bought Aurora Veil/);
      await c.say('buy aurora veil');
      vi.setSystemTime(Date.now() + 5_200);
      expect((await c.say('yes')).reply.text).toBe('That request expired. Please ask again.');
    } finally {
      await short.close();
      vi.useRealTimers();
    }
  });
});

describe('favorite designer', () => {
  it('resolves "my favorite designer" from the profile (alex → Nova)', async () => {
    const r = await conversation(t.app, tokens.alex).say('subscribe to my favorite designer');
    expect(r).toMatchObject({ intent: 'SubscribeDesigner', outcome: 'ok', slots: { designer: 'Nova' } });
    expect(r.reply.text).toBe("You're now subscribed to Nova.");
  });

  it('asks who it is when there is none (sam), then offers to remember it', async () => {
    const c = conversation(t.app, tokens.sam);
    const ask = await c.say('what is new from my favorite designer');
    expect(ask.reply.text).toBe('Who is your favorite designer?');
    const answer = await c.say('Aria Chen');
    expect(answer).toMatchObject({ intent: 'WhatsNew', outcome: 'ok', slots: { designer: 'Aria Chen' } });
    expect(answer.reply.text).toMatch(/Should I remember Aria Chen as your favorite designer\?$/);
    expect(answer.reply.expectsReply).toBe(true);
    const remembered = await c.say('yes');
    expect(remembered.reply.text).toBe('Okay, Aria Chen is your favorite designer.');
    const profile = await ds.getRepository(ClientProfile).findOneByOrFail({ userId: (await user('sam')).id });
    const aria = (await ds.query(`SELECT user_id FROM designer_profiles WHERE display_name = 'Aria Chen'`))[0].user_id;
    expect(profile.favoriteDesignerId).toBe(aria);
    expect((await c.say('subscribe to my favorite designer')).reply.text).toBe("You're now subscribed to Aria Chen.");
  });
});

describe('sessions', () => {
  it('keeps dialogs apart per user even with the same session id', async () => {
    const sessionId = 'shared-session-id';
    await conversation(t.app, tokens.alex, sessionId).say('buy solar flare');
    const other = await conversation(t.app, tokens.sam, sessionId).say('yes');
    expect(other.reply.text).toBe("There's nothing to confirm right now.");
    expect((await conversation(t.app, tokens.alex, sessionId).say('no')).reply.text).toBe("Okay, I won't buy it.");
  });

  it.skipIf(skipWithout(REDIS_MISSING))('continues a dialog on another instance sharing Redis; catalog changes reach it', async () => {
    const instance = await createSecondInstance(t);
    const second = instance.app;
    try {
      const first = conversation(t.app, tokens.alex, 'reconnect-session-1');
      expect((await first.say('buy glitch garden')).reply.expectsReply).toBe(true);
      const again = conversation(second, tokens.alex, 'reconnect-session-1');
      const done = await again.say('yes');
      expect(done).toMatchObject({ intent: 'BuyChip', outcome: 'ok' });
      expect(done.reply.text).toMatch(/^Done. You bought Glitch Garden number 1 for 45 credits/);

      // A chip published through one instance shows up in the other's live lists.
      expect((await second.catalogLists.get()).lists.chip).not.toContain('Ember Fox');
      await ds.transaction(async (m) => {
        const [{ id }] = await m.query(`INSERT INTO chips (name, token_id, metadata_hash, designer_id, price_credits, edition_size, tags)
          SELECT 'Ember Fox', 'hm-test-ember-fox', repeat('0', 64), user_id, 10, 5, '{fire,fox}' FROM designer_profiles WHERE display_name = 'Vega Flux' RETURNING id`);
        await m.query(`INSERT INTO chip_collaborators (chip_id, designer_id, share_bps) SELECT $1, designer_id, 10000 FROM chips WHERE id = $1`, [id]);
      });
      const before = await second.catalogLists.get();
      await t.app.catalogLists.invalidate();
      let lists = before.lists;
      for (let i = 0; i < 50 && !lists.chip.includes('Ember Fox'); i++) {
        await new Promise((r) => setTimeout(r, 20));
        lists = (await second.catalogLists.get()).lists;
      }
      expect(lists.chip).toContain('Ember Fox');
      expect(lists.tag).toContain('fox');
      expect((await second.catalogLists.get()).version).not.toBe(before.version);
    } finally {
      await instance.close();
    }
  });
});

describe('voice input', () => {
  it('does not act on a low-confidence transcript', async () => {
    const principal = await principalOf('alex');
    const r = await t.app.assistant.handle({ principal, sessionId: 'voice-low', transcript: { text: 'buy neon dragon', source: 'voice', confidence: 0.1, engine: 'test-asr' } });
    expect(r.outcome).toBe('not_understood');
    expect(r.reply.text).toMatch(/^Sorry, I didn't catch that/);
    const [row] = await ds.query(`SELECT source, asr_confidence, engine, outcome FROM voice_commands WHERE command_id = $1`, [r.commandId]);
    expect(row).toEqual({ source: 'voice', asr_confidence: 0.1, engine: 'test-asr', outcome: 'not_understood' });
  });
});

describe('command log', () => {
  it('writes exactly one row per command, whatever its outcome', async () => {
    const c = conversation(t.app, tokens.kenji, 'log-once-session');
    const texts = ['what is my balance', 'blah blah blah', 'subscribe to zorro', 'buy midnight bloom', 'yes', 'yes', 'help', 'show my last 3 commands'];
    const outcomes = [];
    for (const text of texts) outcomes.push((await c.say(text)).outcome);
    // kenji has no credits: the purchase is refused before it is read back, and neither yes has anything to confirm.
    expect(outcomes).toEqual(['ok', 'not_understood', 'rejected', 'rejected', 'rejected', 'rejected', 'ok', 'ok']);
    const rows = await ds.query(`SELECT transcript, outcome FROM voice_commands WHERE session_id = 'log-once-session' ORDER BY created_at`);
    expect(rows.map((r: { transcript: string }) => r.transcript)).toEqual(texts);
    expect(rows.map((r: { outcome: string }) => r.outcome)).toEqual(outcomes);
    // Retries of one command id add nothing.
    for (let i = 0; i < 3; i++) await c.say('what is my balance', { commandId: 'kenji-balance-1' });
    expect(await commandRows('log-once-session')).toBe(texts.length + 1);
  });

  it('logs a failing command once with outcome error and apologises', async () => {
    const assistant = createAssistant({
      dataSource: ds, sessionStore: t.app.sessionStore, pubsub: t.app.pubsub, catalog: t.app.catalogLists,
      recognizer: { recognize: () => { throw new Error('engine exploded'); } },
      settings: { confirmTimeoutS: 60, sessionTtlS: 600, platformFeeBps: 1_000 },
    });
    const r = await assistant.handle({ principal: await principalOf('kenji'), sessionId: 'log-error-session', transcript: { text: 'boom', source: 'text', confidence: 1, engine: 'text' } });
    expect(r.outcome).toBe('error');
    expect(r.reply.text).toBe('Sorry, something went wrong. Please try again.');
    const rows = await ds.query(`SELECT outcome, command_id FROM voice_commands WHERE session_id = 'log-error-session'`);
    expect(rows).toEqual([{ outcome: 'error', command_id: r.commandId }]);
  });
});
