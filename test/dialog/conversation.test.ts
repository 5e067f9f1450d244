import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { balanceOf } from '../../src/marketplace/index.js';
import { createSecondInstance, createTestApp, type TestApp } from '../helpers/app.js';
import { conversation } from '../http/commands-helpers.js';
import { userIdOf } from '../helpers/lookups.js';

/**
 * Multi-turn conversations end to end over HTTP (and the voice WebSocket's text frames), against
 * PostgreSQL and Redis: questions for what is missing, choices, context, purchases checked before
 * they are read back, asides, designers' own questions and help.
 */

let t: TestApp;
let ds: DataSource;
let tokens: Record<string, string>;

const userId = (username: string): Promise<string> => userIdOf(ds, username);
const purchases = async (username: string): Promise<number> =>
  (await ds.query('SELECT COUNT(*)::int AS n FROM editions e JOIN users u ON u.id = e.owner_id WHERE u.username = $1', [username]))[0].n;
const say = (username: string, sessionId?: string) => conversation(t.app, tokens[username]!, sessionId).say;

type Frame = { type: string; text?: string; reply?: { text: string; expectsReply: boolean }; sessionId?: string };

/** A voice WebSocket in a given session, used with text frames: `say` waits for the reply frame. */
async function voiceSocket(username: string, sessionId: string) {
  const ws = await t.app.injectWS(`/v1/voice?session=${sessionId}`, { headers: { authorization: `Bearer ${tokens[username]!}` } });
  const replies: Frame[] = [];
  ws.on('message', (data: Buffer) => {
    const frame = JSON.parse(data.toString('utf8')) as Frame;
    if (frame.type === 'reply' || frame.type === 'error') replies.push(frame);
  });
  return {
    async say(text: string): Promise<Frame> {
      const seen = replies.length;
      ws.send(JSON.stringify({ type: 'text', text }));
      for (let i = 0; i < 500 && replies.length === seen; i++) await new Promise((r) => setTimeout(r, 10));
      const frame = replies[seen];
      if (!frame) throw new Error(`no reply to ${JSON.stringify(text)}`);
      return frame;
    },
    async close(): Promise<void> {
      const closed = new Promise((resolve) => ws.once('close', resolve));
      ws.terminate();
      await closed;
    },
  };
}

beforeAll(async () => {
  t = await createTestApp();
  ds = t.database.db.dataSource;
  tokens = await t.tokensFor(['alex', 'sam', 'nova', 'kenji']);
});
afterAll(() => t?.close());

describe('slot filling', () => {
  it('asks which chip to buy and takes the bare name as the answer', async () => {
    const alex = say('alex');
    const ask = await alex('buy a chip');
    expect(ask).toMatchObject({ intent: 'BuyChip', outcome: 'ok', reply: { text: 'Which chip would you like to buy?', expectsReply: true } });
    const readBack = await alex('neon dragon');
    expect(readBack).toMatchObject({ intent: 'BuyChip', slots: { chip: 'Neon Dragon' }, reply: { text: 'Buy Neon Dragon by Nova for 25 credits? Say yes to confirm.', expectsReply: true } });
    expect((await alex('no')).reply.text).toBe("Okay, I won't buy it.");
    expect(await purchases('alex')).toBe(0);
  });

  it('asks whom to subscribe to, how many stars, and for which designer auto buy is meant', async () => {
    const sam = say('sam');
    expect((await sam('subscribe')).reply.text).toBe('Which designer would you like to subscribe to?');
    expect((await sam('Aria Chen')).reply.text).toBe("You're now subscribed to Aria Chen.");

    expect((await sam('rate nova')).reply.text).toBe('How many stars, from one to five, would you give Nova?');
    expect((await sam('five stars')).reply.text).toBe('Thanks. You gave Nova 5 stars.');

    expect((await sam('rate a designer')).reply.text).toBe('Which designer would you like to rate?');
    expect((await sam('kenji')).reply.text).toBe('How many stars, from one to five, would you give Kenji Sato?');
    expect((await sam('4')).reply.text).toBe('Thanks. You gave Kenji Sato 4 stars.');

    expect((await sam('turn on auto buy')).reply.text).toBe('Which designer should I automatically buy new chips from?');
    expect((await sam('Vega Flux')).reply.text).toBe('Automatically buy every new chip from Vega Flux? Say yes to confirm.');
    expect((await sam('no')).reply.text).toBe("Okay, I won't turn on auto buy.");
  });

  it('lets a new full command abandon the question', async () => {
    const sam = say('sam');
    await sam('buy a chip');
    expect((await sam('subscribe to lumen labs')).reply).toMatchObject({ text: "You're now subscribed to Lumen Labs.", expectsReply: false });
    // The question is gone: a chip's name now only says what the chip is.
    const r = await sam('crystal wave');
    expect(r.reply).toMatchObject({ text: 'Crystal Wave by Aria Chen costs 30 credits. Say buy it if you want it.', expectsReply: false });
  });

  it('gives up politely after two answers that name nothing known', async () => {
    const sam = say('sam');
    await sam('subscribe');
    const first = await sam('zorro');
    expect(first).toMatchObject({ outcome: 'rejected', reply: { text: "I don't know a designer called Zorro. Which designer would you like to subscribe to?", expectsReply: true } });
    const second = await sam('bob');
    expect(second.reply).toMatchObject({ text: "Sorry, I still didn't get it, so let's leave that for now. Say help to hear what you can say.", expectsReply: false });
    expect((await sam('yes')).reply.text).toBe("There's nothing to confirm right now.");
  });
});

describe('disambiguation', () => {
  it('offers a choice for a partial name, answered by position or by name', async () => {
    const alex = say('alex');
    const choice = await alex('buy the koi');
    expect(choice.reply).toMatchObject({ text: 'Which one: Quantum Koi or Starlight Koi?', expectsReply: true });
    expect((await alex('the second one')).reply.text).toBe('Buy Starlight Koi by Nova for 40 credits? Say yes to confirm.');
    expect((await alex('cancel')).reply.text).toBe("Okay, I won't buy it.");

    await alex('buy the koi');
    expect((await alex('quantum')).reply.text).toBe('Buy Quantum Koi by Kenji Sato for 60 credits? Say yes to confirm.');
    await alex('no');

    await alex('buy the koi');
    expect((await alex('the fifth one')).reply.text).toBe("Sorry, that isn't one of them. Which one: Quantum Koi or Starlight Koi?");
    expect((await alex('first')).reply.text).toBe('Buy Quantum Koi by Kenji Sato for 60 credits? Say yes to confirm.');
    await alex('no');
    expect(await purchases('alex')).toBe(0);
  });

  it('takes the one designer a partial name can mean', async () => {
    expect((await say('sam')('subscribe to kenji')).reply.text).toBe("You're now subscribed to Kenji Sato.");
  });
});

describe('context', () => {
  it('"the second one" and "buy it" after a list; "and from Aria Chen?" after a search', async () => {
    const alex = say('alex');
    const found = await alex('find chips under 40 credits');
    const listed = (found.reply.data as { chips: { name: string }[] }).chips.map((c) => c.name);
    expect(listed.length).toBeGreaterThan(2);
    const second = await alex('the second one');
    expect(second.reply.text).toMatch(new RegExp(`^${listed[1]} by `));
    expect((await alex('buy it')).reply.text).toMatch(new RegExp(`^Buy ${listed[1]} by .* Say yes to confirm\\.$`));
    await alex('no');

    const fromAria = await alex('and from Aria Chen?');
    expect(fromAria).toMatchObject({ intent: 'SearchChips', slots: { designer: 'Aria Chen', maxPrice: 40 } });
    expect(fromAria.reply.text).toBe('I found 2 chips: Paper Crane by Aria Chen for 15 credits and Crystal Wave by Aria Chen for 30 credits.');
    expect((await alex('buy the first one')).reply.text).toBe('Buy Paper Crane by Aria Chen for 15 credits? Say yes to confirm.');
    await alex('no');
  });

  it('asks which chip "it" is when nothing was named', async () => {
    const sam = say('sam');
    expect((await sam('buy it')).reply.text).toBe('Which chip would you like to buy?');
    expect((await sam('the first one')).reply.text).toBe("Sorry, I didn't get that. Which chip would you like to buy?");
    await sam('cancel');
    expect((await sam('the second one')).outcome).toBe('not_understood');
  });

  it('keeps the context in the session store: another instance continues it', async () => {
    const second = await createSecondInstance(t);
    try {
      await conversation(t.app, tokens.alex!, 'context-moves-1').say('search for koi chips');
      const there = await conversation(second.app, tokens.alex!, 'context-moves-1').say('buy the second one');
      expect(there.reply.text).toBe('Buy Quantum Koi by Kenji Sato for 60 credits? Say yes to confirm.');
      // Another session of the same user has its own context.
      expect((await conversation(second.app, tokens.alex!, 'context-moves-2').say('buy the second one')).reply.text).toBe('Which chip would you like to buy?');
    } finally {
      await second.close();
    }
  });
});

describe('check before asking', () => {
  it('refuses at once what cannot succeed, saying why and what would help', async () => {
    const sam = say('sam');
    await sam('buy quantum koi');
    expect((await sam('yes')).reply.text).toBe('Done. You bought Quantum Koi number 1 for 60 credits. You have 40 credits left.');
    const refused = await sam('buy quantum koi');
    expect(refused).toMatchObject({ outcome: 'rejected', reply: { text: 'Quantum Koi costs 60 credits, but you have only 40 credits. You could look for chips under 40 credits.', expectsReply: false } });

    await ds.query(`UPDATE chips SET editions_sold = edition_size WHERE name = 'Solar Flare'`);
    const soldOut = await say('alex')('buy solar flare');
    expect(soldOut).toMatchObject({ outcome: 'rejected', reply: { text: 'Sorry, Solar Flare is sold out. You could ask what else Vega Flux has.', expectsReply: false } });
  });

  it('names the edition already owned in the question', async () => {
    const alex = say('alex');
    await alex('buy starlight koi');
    const bought = await alex('yes');
    const edition = (bought.reply.data as { editionNumber: number }).editionNumber;
    const again = await alex('buy starlight koi');
    expect(again.reply).toMatchObject({ text: `You already own Starlight Koi number ${edition}. Buy another for 40 credits? Say yes to confirm.`, expectsReply: true });
    await alex('no');
  });

  it('never starts a purchase from a bare chip name', async () => {
    const alex = say('alex');
    const before = await purchases('alex');
    const r = await alex('crystal wave');
    expect(r).toMatchObject({ outcome: 'ok', reply: { text: 'Crystal Wave by Aria Chen costs 30 credits. Say buy it if you want it.', expectsReply: false } });
    expect((await alex('yes')).reply.text).toBe("There's nothing to confirm right now.");
    expect(await purchases('alex')).toBe(before);
  });
});

describe('an open question survives an aside', () => {
  it('answers a balance question and recalls the purchase, which a yes then makes', async () => {
    const sam = say('sam'); // 40 credits left
    await sam('buy neon dragon');
    const aside = await sam("what's my balance");
    expect(aside).toMatchObject({ intent: 'CheckBalance', reply: { text: 'You have 40 credits. Still want Neon Dragon for 25 credits?', expectsReply: true } });
    const searched = await sam('find fish chips');
    expect(searched.reply.text).toMatch(/^I found .* Still want Neon Dragon for 25 credits\?$/);
    const help = await sam('what can I say');
    expect(help.reply.text).toMatch(/^I'm waiting for your answer: Buy Neon Dragon by Nova for 25 credits\? Say yes to confirm\. Say yes to go ahead/);
    const done = await sam('yes');
    expect(done).toMatchObject({ intent: 'BuyChip', outcome: 'ok' });
    expect(done.reply.text).toMatch(/^Done\. You bought Neon Dragon number \d+ for 25 credits\. You have 15 credits left\.$/);
    expect(await balanceOf(ds.manager, await userId('sam'))).toBe(15);
  });

  it('answers an aside to a slot question and asks it again', async () => {
    const alex = say('alex');
    await alex('subscribe');
    const r = await alex('what is my balance');
    expect(r.reply).toMatchObject({ text: expect.stringMatching(/^You have \d+ credits\. Which designer would you like to subscribe to\?$/), expectsReply: true });
    expect((await alex('mira')).reply.text).toBe("You're now subscribed to Mira Okafor.");
  });
});

describe("designers' own questions", () => {
  it('answers designers and politely refuses others', async () => {
    await say('sam')('subscribe to nova');
    const nova = say('nova');
    const subscribers = await nova('who subscribed to me');
    const [{ n }] = await ds.query(`SELECT COUNT(*)::int AS n FROM subscriptions s JOIN designer_profiles d ON d.user_id = s.designer_id WHERE d.display_name = 'Nova'`);
    expect(subscribers).toMatchObject({ intent: 'MySubscribers', outcome: 'ok', reply: { data: { total: n } } });
    expect(n).toBeGreaterThan(0);
    expect((await nova('how many subscribers do I have')).reply.text).toMatch(n === 1 ? /^You have one subscriber: sam\.$/ : new RegExp(`^You have ${n} subscribers.* sam`));
    const best = await nova('which of my chips sells best');
    expect(best).toMatchObject({ intent: 'BestSellers', outcome: 'ok' });
    expect(best.reply.text).toMatch(/^(Starlight Koi|Neon Dragon) sells best: \d+ sold, for \d+ credits\./);

    await nova('how were my sales this week');
    expect(await nova('what about last month?')).toMatchObject({ intent: 'SalesSummary', slots: { period: 'last_month' }, outcome: 'ok' });

    const refused = await say('alex')('who subscribed to me');
    expect(refused).toMatchObject({ intent: 'MySubscribers', outcome: 'rejected', reply: { text: "Only designers have subscribers. You can ask who you're subscribed to instead." } });
  });

  it('searches chips named koi, not a designer called koi', async () => {
    const r = await say('alex')('search for koi chips under 50 credits');
    expect(r).toMatchObject({ intent: 'SearchChips', slots: { name: 'koi', maxPrice: 50 } });
    expect(r.reply.text).toBe('I found 1 chip: Starlight Koi by Nova for 40 credits.');
  });
});

describe('help', () => {
  it('suggests the commands the engine nearly matched', async () => {
    const r = await say('alex')('buy kenji');
    expect(r.outcome).toBe('not_understood');
    expect(r.reply.text).toMatch(/^Sorry, I didn't catch that\. Did you mean: .*turn on auto buy for Kenji Sato/);
  });

  it('answers "what can I say" by role', async () => {
    const client = (await say('alex')('what can I say')).reply.text;
    expect(client).toContain('buy Neon Dragon');
    expect(client).not.toContain('sales');
    const designer = (await say('nova')('what can I say')).reply.text;
    expect(designer).toMatch(/^You can say things like: how were my sales this week, who subscribed to me, which of my chips sells best/);
  });
});

describe('collections, profiles and orders of several editions in the conversation', () => {
  it('"how much is it" and "the second one" answer with the chip named or listed before', async () => {
    const alex = say('alex');
    expect((await alex('how much is it')).reply).toMatchObject({ text: 'Which chip?', expectsReply: true });
    const answered = await alex('paper crane');
    expect(answered).toMatchObject({ intent: 'ChipInfo', slots: { chip: 'Paper Crane' }, outcome: 'ok' });
    expect(answered.reply.text).toMatch(/^Paper Crane is by Aria Chen\. It costs 15 credits/);

    const found = await alex('search for koi chips');
    const listed = (found.reply.data as { chips: { name: string }[] }).chips.map((c) => c.name);
    const second = await alex('how much is the second one');
    expect(second).toMatchObject({ intent: 'ChipInfo', slots: { chip: listed[1] }, outcome: 'ok' });
    const again = await alex('tell me about it');
    expect(again).toMatchObject({ intent: 'ChipInfo', slots: { chip: listed[1] } });
  });

  it('reads an order back once with its total, keeps it open over an aside, and buys exactly that', async () => {
    const alex = say('alex');
    const before = await purchases('alex');
    const readBack = await alex('buy two midnight blooms');
    expect(readBack.reply).toMatchObject({ text: 'Buy 2 editions of Midnight Bloom by Mira Okafor, 35 credits each, 70 credits in total? Say yes to confirm.', expectsReply: true });
    const aside = await alex('how much is neon dragon');
    expect(aside).toMatchObject({ intent: 'ChipInfo', reply: { expectsReply: true } });
    expect(aside.reply.text).toMatch(/^Neon Dragon is by Nova\. .* Still want 2 editions of Midnight Bloom for 70 credits\?$/);
    const done = await alex('yes');
    expect(done).toMatchObject({ intent: 'BuyChip', outcome: 'ok', reply: { data: { quantity: 2, totalCredits: 70 } } });
    expect(await purchases('alex')).toBe(before + 2);
    const owned = (done.reply.data as { editionNumbers: number[] }).editionNumbers;

    const more = await alex('buy two midnight blooms');
    expect(more.reply).toMatchObject({
      text: `You already own Midnight Bloom numbers ${owned.join(' and ')}. Buy 2 more editions, 35 credits each, 70 credits in total? Say yes to confirm.`,
      expectsReply: true,
    });
    await alex('no');
    expect(await purchases('alex')).toBe(before + 2);
  });

  it('refuses before the read-back an order whose total is out of reach, saying how many would do', async () => {
    const sam = say('sam');
    const balance = await balanceOf(ds.manager, await userId('sam'));
    const affordable = Math.floor(balance / 15);
    const quantity = affordable + 1;
    expect(quantity).toBeGreaterThan(1);
    expect(quantity).toBeLessThanOrEqual(10);
    const before = await purchases('sam');
    const refused = await sam(`buy ${quantity} paper cranes`);
    const help = affordable === 0 ? `You could look for chips under ${balance} credits.` : affordable === 1 ? 'You could buy one.' : `You could buy ${affordable} editions.`;
    expect(refused).toMatchObject({
      intent: 'BuyChip', outcome: 'rejected',
      reply: { text: `${quantity} editions of Paper Crane cost ${quantity * 15} credits, but you have only ${balance} credits. ${help}`, expectsReply: false },
    });
    expect(await purchases('sam')).toBe(before);
  });

  it('follows up a collection by designer, keeps royalties for designers and names the new commands in help', async () => {
    const alex = say('alex');
    expect(await alex('what chips do I own')).toMatchObject({ intent: 'MyCollection', outcome: 'ok' });
    const fromMira = await alex('and from Mira Okafor?');
    expect(fromMira).toMatchObject({ intent: 'MyCollection', slots: { designer: 'Mira Okafor' }, outcome: 'ok' });
    expect(fromMira.reply.text).toMatch(/^You own 2 chips by Mira Okafor: Midnight Bloom numbers /);

    expect((await alex('how much have I earned in royalties this month')).reply).toMatchObject({ text: 'Royalty earnings are for designers. You can ask for your balance instead.' });
    expect((await alex('what can I say')).reply.text).toContain('what chips do I own');
    expect((await say('nova')('what can I say')).reply.text).toContain('how much have I earned in royalties this month');
  });
});

describe('over the voice WebSocket', () => {
  it('continues a slot-filling question after a reconnect to the same session', async () => {
    const first = await voiceSocket('alex', 'ws-slot-reconnect-1');
    const ask = await first.say('buy a chip');
    expect(ask).toMatchObject({ type: 'reply', sessionId: 'ws-slot-reconnect-1', reply: { text: 'Which chip would you like to buy?', expectsReply: true } });
    await first.close();

    const second = await voiceSocket('alex', 'ws-slot-reconnect-1');
    try {
      const readBack = await second.say('paper crane');
      expect(readBack.reply).toMatchObject({ text: 'Buy Paper Crane by Aria Chen for 15 credits? Say yes to confirm.', expectsReply: true });
      const aside = await second.say("what's my balance");
      expect(aside.reply?.text).toMatch(/^You have \d+ credits\. Still want Paper Crane for 15 credits\?$/);
      expect((await second.say('no')).reply?.text).toBe("Okay, I won't buy it.");
    } finally {
      await second.close();
    }
  });

  it('offers a choice and takes the answer by position', async () => {
    const ws = await voiceSocket('sam', 'ws-choice-1');
    try {
      expect((await ws.say('buy the koi')).reply?.text).toBe('Which one: Quantum Koi or Starlight Koi?');
      // sam cannot afford either any more: said at once, not after a yes.
      expect((await ws.say('the second one')).reply).toMatchObject({ text: expect.stringMatching(/^Starlight Koi costs 40 credits, but you have only \d+ credits\./), expectsReply: false });
    } finally {
      await ws.close();
    }
  });
});
