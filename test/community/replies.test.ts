import { describe, expect, it } from 'vitest';
import { Responses } from '../../src/dialog/responses.js';

/** What a listener needs to hear from the community replies, in text and in SSML. */
describe('community replies', () => {
  it('read reviews: the average, how many ratings, then each author, stars and words (escaped)', () => {
    const spoken = Responses.reviews({
      designer: { id: 'd', name: 'Nova' }, average: 4.5, ratingCount: 2, reviewCount: 2,
      reviews: [
        { author: 'sam', rating: 5, text: 'Tom & Jerry <3', updatedAt: '' },
        { author: 'alex', rating: null, text: 'Lovely colours', updatedAt: '' },
      ],
    });
    expect(spoken.text).toBe('Nova has an average of 4.5 stars from 2 ratings. The latest 2 reviews: sam, 5 stars: Tom & Jerry <3. alex said: Lovely colours.');
    expect(spoken.ssml).toContain('<say-as interpret-as="cardinal">4.5</say-as> stars from <say-as interpret-as="cardinal">2</say-as> ratings');
    expect(spoken.ssml).toContain('Tom &amp; Jerry &lt;3.');
  });

  it('recommendations give each chip its price and a reason', () => {
    const spoken = Responses.recommendations([
      { id: '1', name: 'Neon Dragon', designerId: 'n', designerName: 'Nova', priceCredits: 25, tags: [], score: 7, reason: { kind: 'liked_tag', tag: 'cyberpunk' } },
      { id: '2', name: 'Paper Crane', designerId: 'a', designerName: 'Aria Chen', priceCredits: 1, tags: [], score: 2, reason: { kind: 'subscribed', designer: 'Aria Chen' } },
    ]);
    expect(spoken.text).toBe("I'd suggest 2 chips: Neon Dragon by Nova for 25 credits, because you like cyberpunk. Paper Crane by Aria Chen for 1 credit, because you follow Aria Chen.");
  });

  it('a post is read back word for word before it is published, and a rate limit says how long to wait', () => {
    expect(Responses.confirmPost('Calm Makers', 'new origami set coming Friday').text).toBe('Post to Calm Makers: new origami set coming Friday. Say yes to publish it.');
    expect(Responses.confirmPost('Calm Makers', 'Is it <b>bold</b>?').ssml).toBe('Post to Calm Makers: Is it &lt;b&gt;bold&lt;/b&gt;? Say yes to publish it.');
    expect(Responses.postRateLimited(61).text).toBe("You've posted a lot just now. Please try again in 2 minutes.");
    expect(Responses.postRateLimited(30).text).toBe("You've posted a lot just now. Please try again in 1 minute.");
    expect(Responses.cancelled('PostToGroup').text).toBe("Okay, I won't post it.");
  });
});

describe('the words of a review or post as written', () => {
  it('keeps punctuation and case of the words that end the utterance', async () => {
    const { verbatimTail } = await import('../../src/dialog/verbatim.js');
    expect(verbatimTail('leave a review for Nova saying Her dragons are stunning!!', 'Her dragons are stunning')).toBe('Her dragons are stunning!!');
    expect(verbatimTail('post to Neon Nights: who\'s coming, Friday?', "who's coming Friday")).toBe("who's coming, Friday?");
    // Not at the end, or not found as written: the engine's words stay.
    expect(verbatimTail('post hello there to Neon Nights', 'hello there')).toBe('hello there');
    expect(verbatimTail('review Nova Tom & Jerry', 'Tom and Jerry')).toBe('Tom and Jerry');
  });
});
