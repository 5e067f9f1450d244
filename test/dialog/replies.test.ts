import { describe, expect, it } from 'vitest';
import { say, toReply } from '../../src/dialog/ssml.js';
import { Responses } from '../../src/dialog/responses.js';
import { cleanAnswer, matchListValue, matchRating } from '../../src/dialog/slot-match.js';
import { DEMO_LISTS } from '../../src/db/demo-catalog.js';

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
});
