import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { User } from '../../src/db/entities/index.js';
import { balanceOf } from '../../src/marketplace/index.js';
import type { Principal } from '../../src/auth/tokens.js';
import type { Transcript } from '../../src/contracts.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { conversation } from '../http/commands-helpers.js';

/** Money needs a clear yes: the same rule typed and spoken (README, "What counts as a yes"). */

let t: TestApp;
let ds: DataSource;

const principalOf = async (username: string): Promise<Principal> => {
  const u = await ds.getRepository(User).findOneByOrFail({ username });
  return { userId: u.id, username: u.username, role: u.role };
};
const balance = async (username: string) => balanceOf(ds.manager, (await principalOf(username)).userId);
const sales = async (username: string): Promise<number> =>
  (await ds.query('SELECT COUNT(*)::int AS n FROM transactions p JOIN users u ON u.id = p.buyer_id WHERE u.username = $1', [username]))[0].n;
const autoBuy = async (username: string, designer: string): Promise<boolean | null> => {
  const rows = await ds.query(`SELECT s.auto_buy FROM subscriptions s JOIN users u ON u.id = s.client_id
    JOIN designer_profiles d ON d.user_id = s.designer_id WHERE u.username = $1 AND d.display_name = $2`, [username, designer]);
  return rows[0]?.auto_buy ?? null;
};

/** A spoken conversation: each utterance with the recogniser's confidence for every word. */
async function voice(username: string, sessionId: string) {
  const principal = await principalOf(username);
  return (text: string, conf: number) => {
    const words = text.split(' ').map((word, i) => ({ word, start: i * 0.4, end: i * 0.4 + 0.35, conf }));
    const transcript: Transcript = { text, source: 'voice', confidence: conf, engine: 'test-asr', words };
    return t.app.assistant.handle({ principal, sessionId, transcript });
  };
}

beforeAll(async () => {
  t = await createTestApp();
  ds = t.database.db.dataSource;
});
afterAll(() => t?.close());

describe('typed answers to a purchase', () => {
  it('"thanks" does not buy: it re-asks once, then the question stays open for a clear yes', async () => {
    const c = conversation(t.app, await t.tokenFor('alex'));
    const before = await balance('alex');
    expect((await c.say('buy neon dragon')).reply.text).toBe('Buy Neon Dragon by Nova for 25 credits? Say yes to confirm.');
    const thanks = await c.say('thanks');
    expect(thanks).toMatchObject({ outcome: 'not_understood', reply: { text: 'Say yes to buy Neon Dragon for 25 credits, or no to cancel.', expectsReply: true } });
    const hmm = await c.say('hmm');
    expect(hmm).toMatchObject({ outcome: 'not_understood', reply: { text: "Sorry, I didn't catch that.", expectsReply: true } });
    expect((await c.say('thanks')).outcome).toBe('not_understood');
    expect(await balance('alex')).toBe(before);
    expect(await sales('alex')).toBe(0);
    const yes = await c.say('yes');
    expect(yes.reply.text).toMatch(/^Done. You bought Neon Dragon number 1 for 25 credits/);
    expect(await balance('alex')).toBe(before - 25);
  });

  it('a weak "yes buy it" or a misspelt "yse" is not a yes; "um, yes" is', async () => {
    const c = conversation(t.app, await t.tokenFor('sam'));
    await c.say('buy paper crane');
    for (const text of ['yes buy it', 'yse', 'thank you']) {
      expect((await c.say(text)).outcome, text).toBe('not_understood');
    }
    expect(await sales('sam')).toBe(0);
    expect((await c.say('um, yes')).reply.text).toMatch(/^Done. You bought Paper Crane/);
  });

  it('an unclear answer never outlives the question: after it expires a yes buys nothing', async () => {
    let clock = Date.now();
    const { createAssistant } = await import('../../src/assistant/index.js');
    const { createIntentEngine } = await import('../../src/nlu/index.js');
    const { loadIntentSet } = await import('../../src/load-intents.js');
    const engine = createIntentEngine(await loadIntentSet(), { threshold: 0.5 });
    const assistant = createAssistant({
      dataSource: ds, sessionStore: t.app.sessionStore, pubsub: t.app.pubsub, catalog: t.app.catalogLists,
      recognizer: engine, settings: { confirmTimeoutS: 60, sessionTtlS: 600, platformFeeBps: 1_000 }, now: () => clock,
    });
    const principal = await principalOf('sam');
    const say = (text: string) => assistant.handle({ principal, sessionId: 'clear-yes-expiry', transcript: { text, source: 'text', confidence: 1, engine: 'text' } });
    await say('buy aurora veil');
    await say('thanks');
    clock += 61_000;
    expect((await say('yes')).reply.text).toBe('That request expired. Please ask again.');
    expect(await sales('sam')).toBe(1); // the paper crane above, nothing more
  });
});

describe('typed answers to auto-buy', () => {
  it('"thanks" does not switch on auto-buy; a clear yes does', async () => {
    const c = conversation(t.app, await t.tokenFor('alex'));
    expect((await c.say('turn on auto buy for Kenji Sato')).reply.text).toMatch(/^Automatically buy every new chip from Kenji Sato\?/);
    const thanks = await c.say('thanks');
    expect(thanks.reply.text).toBe('Say yes to automatically buy every new chip from Kenji Sato, or no to cancel.');
    expect(await autoBuy('alex', 'Kenji Sato')).toBeNull();
    expect((await c.say('yes')).reply.text).toMatch(/^Auto buy is on for Kenji Sato/);
    expect(await autoBuy('alex', 'Kenji Sato')).toBe(true);
  });
});

describe('spoken answers', () => {
  it('a low-confidence "okay" re-asks; the same word heard clearly buys', async () => {
    const say = await voice('alex', 'clear-yes-voice-1');
    const before = await sales('alex');
    expect((await say('buy crystal wave', 0.95)).reply.text).toBe('Buy Crystal Wave by Aria Chen for 30 credits? Say yes to confirm.');
    const mumbled = await say('okay', 0.6);
    expect(mumbled).toMatchObject({ outcome: 'not_understood', reply: { text: 'Say yes to buy Crystal Wave for 30 credits, or no to cancel.' } });
    expect(await sales('alex')).toBe(before);
    expect((await say('okay', 0.97)).reply.text).toMatch(/^Done. You bought Crystal Wave number 1 for 30 credits/);
    expect(await sales('alex')).toBe(before + 1);
  });

  it('one weak word is enough to refuse, whatever the utterance confidence says', async () => {
    const principal = await principalOf('alex');
    const say = (transcript: Transcript) => t.app.assistant.handle({ principal, sessionId: 'clear-yes-voice-2', transcript });
    await say({ text: 'buy solar flare', source: 'voice', confidence: 0.95, engine: 'test-asr' });
    const before = await sales('alex');
    const r = await say({
      text: 'yes please', source: 'voice', confidence: 0.95, engine: 'test-asr',
      words: [{ word: 'yes', start: 0, end: 0.3, conf: 0.97 }, { word: 'please', start: 0.3, end: 0.7, conf: 0.4 }],
    });
    expect(r.outcome).toBe('not_understood');
    expect(await sales('alex')).toBe(before);
    expect((await say({ text: 'no', source: 'voice', confidence: 0.95, engine: 'test-asr' })).reply.text).toBe("Okay, I won't buy it.");
  });
});
