import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import { User } from '../../src/db/entities/index.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { conversation } from '../http/commands-helpers.js';

let t: TestApp;
let ds: DataSource;
let tokens: Record<string, string>;
const userId = async (username: string) => (await ds.getRepository(User).findOneByOrFail({ username })).id;
const reviewsOf = (designer: string) => ds.query(
  `SELECT u.username, r.rating, r.text FROM reviews r JOIN users u ON u.id = r.client_id JOIN designer_profiles d ON d.user_id = r.designer_id
   WHERE d.display_name = $1 ORDER BY u.username`, [designer]) as Promise<{ username: string; rating: number | null; text: string }[]>;
const aggregate = async (designer: string) => (await ds.query('SELECT rating_count, rating_total FROM designer_profiles WHERE display_name = $1', [designer]))[0];
const put = (who: string, designer: string, payload: unknown) => t.app.inject({
  method: 'PUT', url: `/v1/designers/${encodeURIComponent(designer)}/review`, headers: { authorization: `Bearer ${tokens[who]}` }, payload: payload as object,
});

beforeAll(async () => {
  t = await createTestApp();
  ds = t.database.db.dataSource;
  tokens = await t.tokensFor(['alex', 'sam', 'nova', 'kenji', 'admin']);
});
afterAll(() => t?.close());

describe('WriteReview by voice', () => {
  it('stores the spoken words, notifies the designer, and a second review replaces the first', async () => {
    const { say } = conversation(t.app, tokens.sam!);
    const first = await say('leave a review for Nova saying her dragons are stunning');
    expect(first).toMatchObject({ intent: 'WriteReview', outcome: 'ok', slots: { designer: 'Nova', review: 'her dragons are stunning' } });
    expect(first.reply.text).toBe('Thanks. Your review of Nova is posted.');
    expect(await reviewsOf('Nova')).toEqual([{ username: 'sam', rating: null, text: 'her dragons are stunning' }]);
    expect(await aggregate('Nova')).toEqual({ rating_count: 0, rating_total: 0 }); // no stars given
    const [note] = await ds.query(`SELECT kind, text FROM notifications WHERE user_id = $1 AND kind = 'review'`, [await userId('nova')]);
    expect(note).toEqual({ kind: 'review', text: 'sam reviewed you' });

    const second = await say('review Nova four stars the colours are lovely');
    expect(second.reply.text).toBe('Thanks. I replaced your review of Nova. You gave 4 stars.');
    expect(await reviewsOf('Nova')).toEqual([{ username: 'sam', rating: 4, text: 'the colours are lovely' }]);
    expect(await aggregate('Nova')).toEqual({ rating_count: 1, rating_total: 4 });
    // Stars without words keep the words; the aggregate counts the review once.
    expect((await say('rate Nova 5 stars')).reply.text).toBe('Thanks. I changed your rating of Nova to 5 stars.');
    expect(await reviewsOf('Nova')).toEqual([{ username: 'sam', rating: 5, text: 'the colours are lovely' }]);
    expect(await aggregate('Nova')).toEqual({ rating_count: 1, rating_total: 5 });
  });

  it('asks for the words when only the designer was named, and takes the answer as said', async () => {
    const { say } = conversation(t.app, tokens.alex!);
    const ask = await say('I want to write a review for Aria Chen');
    expect(ask.reply).toMatchObject({ text: 'What would you like to say about Aria Chen?', expectsReply: true });
    const done = await say('The paper cranes are lovely!');
    expect(done).toMatchObject({ intent: 'WriteReview', outcome: 'ok' });
    expect(await reviewsOf('Aria Chen')).toEqual([{ username: 'alex', rating: null, text: 'The paper cranes are lovely!' }]);
  });

  it('refuses a designer reviewing themselves', async () => {
    const { say } = conversation(t.app, tokens.nova!);
    const reply = await say('leave a review for Nova saying I am the best');
    expect(reply).toMatchObject({ outcome: 'rejected', reply: { text: "You can't review yourself." } });
  });
});

describe('ReadReviews', () => {
  it('speaks the average and the three most recent written reviews, escaped in SSML', async () => {
    for (const [who, text, rating] of [['alex', 'Bold <b>neon</b> & bright', 5], ['kenji', 'Great collaborator.', 4], ['admin', 'ignored', 3]] as const) {
      const res = await put(who, 'Nova', { text, rating });
      if (who === 'admin') expect(res.statusCode).toBe(403);
      else expect(res.statusCode, res.body).toBe(200);
    }
    await ds.query(`UPDATE reviews SET updated_at = now() - interval '1 day' WHERE text = 'the colours are lovely'`);
    const { say } = conversation(t.app, tokens.sam!);
    const reply = await say('what do people say about Nova');
    expect(reply.intent).toBe('ReadReviews');
    expect(reply.reply.text).toBe('Nova has an average of 4.7 stars from 3 ratings. The latest 3 reviews: kenji, 4 stars: Great collaborator. alex, 5 stars: Bold <b>neon</b> & bright. sam, 5 stars: the colours are lovely.');
    expect(reply.reply.ssml).toContain('Bold &lt;b&gt;neon&lt;/b&gt; &amp; bright.');
    expect(reply.reply.ssml).not.toContain('<b>');
    // Stored verbatim, served as data (the console escapes it).
    const res = await t.app.inject({ method: 'GET', url: '/v1/designers/nova/reviews', headers: { authorization: `Bearer ${tokens.sam}` } });
    expect(res.statusCode).toBe(200);
    expect(res.json().reviews.map((r: { text: string }) => r.text)).toContain('Bold <b>neon</b> & bright');
    expect(res.json()).toMatchObject({ designer: { name: 'Nova' }, average: 4.7, ratingCount: 3, reviewCount: 3 });
  });

  it('says so when a designer has no reviews', async () => {
    const { say } = conversation(t.app, tokens.sam!);
    expect((await say('read me the reviews for Mira Okafor')).reply.text).toBe('Mira Okafor has no star ratings yet. Nobody has written a review yet.');
  });
});

describe('review API', () => {
  it('rejects bad input with catalog codes and changes nothing', async () => {
    const before = await reviewsOf('Kenji Sato');
    const tooLong = await put('alex', 'Kenji Sato', { text: 'x'.repeat(501) });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json().error.code).toBe('HM_ERR_REQUEST_INVALID');
    const stars = await put('alex', 'Kenji Sato', { text: 'fine', rating: 6 });
    expect(stars.statusCode).toBe(400);
    const blank = await put('alex', 'Kenji Sato', { text: '   ' });
    expect(blank.statusCode).toBe(400);
    const self = await put('kenji', 'Kenji Sato', { text: 'me!' });
    expect(self.statusCode).toBe(400);
    expect(self.json().error.code).toBe('HM_ERR_MARKET_REVIEW_INVALID');
    const unknown = await put('alex', 'Nobody Here', { text: 'hello' });
    expect(unknown.statusCode).toBe(404);
    expect(await reviewsOf('Kenji Sato')).toEqual(before);
  });

  it('keeps the aggregate exact when reviews race', async () => {
    const writers = ['alex', 'sam'];
    await Promise.all(writers.flatMap((w) => [1, 2, 3, 4, 5].map((n) => put(w, 'Vega Flux', { text: `take ${n}`, rating: n }))));
    const rows = await reviewsOf('Vega Flux');
    expect(rows).toHaveLength(2);
    const { rating_count: count, rating_total: total } = await aggregate('Vega Flux');
    expect(count).toBe(2);
    expect(total).toBe(rows.reduce((sum, r) => sum + (r.rating ?? 0), 0));
  });
});
