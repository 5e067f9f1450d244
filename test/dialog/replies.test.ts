import { describe, expect, it } from 'vitest';
import { say, toReply } from '../../src/dialog/ssml.js';
import { Responses } from '../../src/dialog/responses.js';
import { candidatesFor, cleanAnswer, matchListValue, matchPosition, matchRating } from '../../src/dialog/slot-match.js';
import { chipReference } from '../../src/dialog/intents.js';
import { DEMO_LISTS } from '../../src/demo/catalog.js';

describe('replies', () => {
  it('marks numbers as cardinals and escapes XML in SSML', () => {
    const reply = toReply(say`${'Tom & <Jerry>'} has ${12} chips`);
    expect(reply.text).toBe('Tom & <Jerry> has 12 chips');
    expect(reply.ssml).toBe('<speak>Tom &amp; &lt;Jerry&gt; has <say-as interpret-as="cardinal">12</say-as> chips</speak>');
    expect(reply.expectsReply).toBe(false);
  });

  it('reads a purchase back the way it should be heard', () => {
    const r = toReply(Responses.confirmBuy('Neon Dragon', 'Nova', 25));
    expect(r.text).toBe('Buy Neon Dragon by Nova for 25 credits? Say yes to confirm.');
    expect(r.ssml).toBe('<speak>Buy Neon Dragon by Nova for <say-as interpret-as="cardinal">25</say-as> credits? Say yes to confirm.</speak>');
    expect(Responses.balance(1).text).toBe('You have 1 credit.');
    expect(Responses.unknownDesigner("O'Brien").ssml).toBe('I don&apos;t know a designer called O&apos;Brien.');
  });

  it('summarises sales in one breath', () => {
    const text = Responses.salesSummary({
      period: 'this_week', from: null, to: '', units: 12, revenue: 340, topChip: { name: 'Neon Dragon', units: 7, revenue: 200 },
      changePercent: 20, previous: { units: 10, revenue: 283 }, newSubscribers: 0,
    }).text;
    expect(text).toBe('This week you sold 12 chips for 340 credits, up 20 percent. Neon Dragon was your best seller.');
  });
});

describe('bare answers', () => {
  it('matches names with padding, partial names and articles', () => {
    expect(matchListValue('Nova', DEMO_LISTS.designer)).toBe('Nova');
    expect(matchListValue("it's kenji", DEMO_LISTS.designer)).toBe('Kenji Sato');
    expect(matchListValue('um, the designer Aria Chen please', DEMO_LISTS.designer)).toBe('Aria Chen');
    expect(matchListValue('the neon dragon', DEMO_LISTS.chip)).toBe('Neon Dragon');
    expect(matchListValue('koi', DEMO_LISTS.chip)).toBeNull(); // two koi: ambiguous
    expect(matchListValue('quantum koi', DEMO_LISTS.chip)).toBe('Quantum Koi');
    expect(matchListValue('somebody else', DEMO_LISTS.designer)).toBeNull();
    expect(cleanAnswer('the one by Nova please')).toEqual(['nova']);
  });

  it('reads ratings in digits or words', () => {
    expect(matchRating('four stars')).toBe(4);
    expect(matchRating('5')).toBe(5);
    expect(matchRating('nine')).toBeNull();
  });

  it('reads choices, owned editions and refusals that say what would help', () => {
    expect(Responses.askChoice(['Quantum Koi', 'Starlight Koi']).text).toBe('Which one: Quantum Koi or Starlight Koi?');
    expect(Responses.askChoice(['A', 'B', 'C', 'D']).text).toBe('Which one: A, B or C, or another? Say more of its name.');
    expect(Responses.confirmBuyOwned('Starlight Koi', 40, [2]).text).toBe('You already own Starlight Koi number 2. Buy another for 40 credits? Say yes to confirm.');
    expect(Responses.confirmBuyOwned('Starlight Koi', 40, [2, 7]).text).toBe('You already own Starlight Koi numbers 2 and 7. Buy another for 40 credits? Say yes to confirm.');
    expect(Responses.cannotAfford('Quantum Koi', 60, 0).text).toBe('Quantum Koi costs 60 credits, but you have no credits left. Top up your wallet first.');
    expect(Responses.subscribers(3, ['sam', 'alex']).text).toBe('You have 3 subscribers. The newest are sam and alex.');
    expect(Responses.bestSellers([{ name: 'Neon Dragon', units: 4, revenue: 90 }, { name: 'Starlight Koi', units: 1, revenue: 25 }]).text)
      .toBe('Neon Dragon sells best: 4 sold, for 90 credits. Then Starlight Koi with 1.');
  });
});

describe('answers to questions', () => {
  it('reads positions said on their own, and nothing else', () => {
    expect(['the first one', 'first', 'the 2nd one', 'number three', 'number 3', 'the last one'].map(matchPosition)).toEqual([0, 0, 1, 2, 2, -1]);
    expect(['buy the first one', 'one', 'neon dragon', 'the first neon dragon', ''].map(matchPosition)).toEqual([null, null, null, null, null]);
  });

  it('finds every catalog entry a partial name could mean', () => {
    expect(candidatesFor('the koi', DEMO_LISTS.chip)).toEqual(['Starlight Koi', 'Quantum Koi']);
    expect(candidatesFor('kenji', DEMO_LISTS.designer)).toEqual(['Kenji Sato']);
    expect(candidatesFor('dragons', DEMO_LISTS.chip)).toEqual(['Neon Dragon']);
    expect(candidatesFor('zorro', DEMO_LISTS.designer)).toEqual([]);
    expect(candidatesFor('the', DEMO_LISTS.chip)).toEqual([]);
  });

  it('tells chip references from chip names', () => {
    expect(['#it', '#1', '#5', '#last', 'Neon Dragon', '#0', '#10', 3].map(chipReference)).toEqual(['it', 0, 4, 'last', null, null, null, null]);
  });
});
