import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DataSource } from 'typeorm';
import type { WebSocket } from 'ws';
import { User } from '../../src/db/entities/index.js';
import { POST_RATE } from '../../src/marketplace/index.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { conversation } from '../http/commands-helpers.js';

let t: TestApp;
let ds: DataSource;
let tokens: Record<string, string>;
const userId = async (username: string) => (await ds.getRepository(User).findOneByOrFail({ username })).id;
const groupId = async (name: string) => (await ds.query('SELECT id FROM groups WHERE name = $1', [name]))[0].id as string;
const api = (who: string | null, method: 'GET' | 'POST' | 'DELETE', url: string, payload?: object) => t.app.inject({
  method, url, ...(who ? { headers: { authorization: `Bearer ${tokens[who]}` } } : {}), ...(payload ? { payload } : {}),
});

beforeAll(async () => {
  t = await createTestApp();
  ds = t.database.db.dataSource;
  tokens = await t.tokensFor(['alex', 'sam', 'nova', 'aria', 'kenji']);
});
afterAll(() => t?.close());

describe('groups API', () => {
  it('lists the demo groups; designers create groups, clients may not; names are unique', async () => {
    const list = await api('alex', 'GET', '/v1/groups');
    expect(list.statusCode).toBe(200);
    expect(list.json().groups.map((g: { name: string; members: number; isMember: boolean }) => [g.name, g.members, g.isMember]))
      .toEqual([['Calm Makers', 3, false], ['Neon Nights', 3, false]]);
    expect((await api('alex', 'POST', '/v1/groups', { name: 'Collectors Club' })).statusCode).toBe(403);
    const created = await api('aria', 'POST', '/v1/groups', { name: 'Origami Circle', description: 'Folded light.' });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ name: 'Origami Circle', createdBy: 'Aria Chen', members: 1, isMember: true });
    const again = await api('nova', 'POST', '/v1/groups', { name: 'origami circle' });
    expect(again.statusCode).toBe(409);
    expect((await api('nova', 'POST', '/v1/groups', { name: '<script>' })).statusCode).toBe(400);
    // The new name can be said right away.
    const { say } = conversation(t.app, tokens.sam!);
    expect((await say('join the Origami Circle group')).reply.text).toBe("You joined Origami Circle. You'll hear about new posts there.");
  });

  it('posts only for members, length- and rate-limited, newest first', async () => {
    const calm = await groupId('Calm Makers');
    const notMember = await api('sam', 'POST', `/v1/groups/${calm}/posts`, { text: 'hello' });
    expect(notMember.statusCode).toBe(403);
    expect(notMember.json().error.code).toBe('HM_ERR_MARKET_NOT_MEMBER');
    expect((await api('sam', 'POST', `/v1/groups/${calm}/members`)).json()).toEqual({ groupId: calm, member: true, changed: true });
    expect((await api('sam', 'POST', `/v1/groups/${calm}/members`)).json()).toMatchObject({ changed: false });
    expect((await api('sam', 'POST', `/v1/groups/${calm}/posts`, { text: 'x'.repeat(501) })).statusCode).toBe(400);
    const posted: string[] = [];
    for (let i = 1; i <= POST_RATE.posts; i++) {
      const res = await api('sam', 'POST', `/v1/groups/${calm}/posts`, { text: `note ${i} <i>hi</i>` });
      expect(res.statusCode, res.body).toBe(201);
      posted.push(res.json().id);
    }
    const limited = await api('sam', 'POST', `/v1/groups/${calm}/posts`, { text: 'one too many' });
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('HM_ERR_REQUEST_RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    const reply = await api('aria', 'POST', `/v1/groups/${calm}/posts`, { text: 'Welcome, sam!', parentId: posted[0] });
    expect(reply.statusCode).toBe(201);
    expect(reply.json()).toMatchObject({ author: 'Aria Chen', parentId: posted[0] });
    const elsewhere = await api('aria', 'POST', `/v1/groups/${await groupId('Origami Circle')}/posts`, { text: 'reply', parentId: posted[0] });
    expect(elsewhere.statusCode).toBe(400);
    const page = await api('alex', 'GET', `/v1/groups/${calm}/posts?limit=3`);
    expect(page.statusCode).toBe(200);
    expect(page.json().posts.map((p: { text: string }) => p.text)).toEqual(['Welcome, sam!', 'note 5 <i>hi</i>', 'note 4 <i>hi</i>']);
    const older = await api('alex', 'GET', `/v1/groups/${calm}/posts?limit=50&before=${encodeURIComponent(page.json().posts[2].createdAt)}`);
    expect(older.json().posts.map((p: { text: string }) => p.text)).toEqual(['note 3 <i>hi</i>', 'note 2 <i>hi</i>', 'note 1 <i>hi</i>',
      'Anyone else working with dark florals this season?', 'New origami set coming Friday.']);
    expect((await api('sam', 'DELETE', `/v1/groups/${calm}/members`)).json()).toEqual({ groupId: calm, member: false, changed: true });
    expect((await api('sam', 'GET', '/v1/groups/not-a-uuid/posts')).statusCode).toBe(400);
    expect((await api(null, 'GET', '/v1/groups')).statusCode).toBe(401);
  });
});

describe('posting races', () => {
  it('never lets concurrent posts past the rate limit', async () => {
    const origami = await groupId('Origami Circle');
    expect((await api('kenji', 'POST', `/v1/groups/${origami}/members`)).statusCode).toBe(200);
    const results = await Promise.all(Array.from({ length: 2 * POST_RATE.posts }, (_, i) => api('kenji', 'POST', `/v1/groups/${origami}/posts`, { text: `race ${i}` })));
    expect(results.filter((r) => r.statusCode === 201)).toHaveLength(POST_RATE.posts);
    expect(results.filter((r) => r.statusCode === 429)).toHaveLength(POST_RATE.posts);
    const [row] = await ds.query('SELECT count(*)::int AS n FROM group_posts WHERE author_id = $1 AND group_id = $2', [await userId('kenji'), origami]);
    expect(row.n).toBe(POST_RATE.posts);
    // The post limit is per author over all groups: kenji has used it up.
    await ds.query(`UPDATE group_posts SET created_at = created_at - interval '1 hour' WHERE author_id = $1`, [await userId('kenji')]);
  });
});

describe('groups by voice', () => {
  it('joins, reads a post back before publishing it, notifies the members live, and leaves', async () => {
    const { say } = conversation(t.app, tokens.alex!);
    const blocked = await say('post to Neon Nights saying hello everyone');
    expect(blocked).toMatchObject({ outcome: 'rejected', reply: { text: 'You need to join Neon Nights before you post there. Say: join Neon Nights.' } });
    expect((await say('join the Neon Nights group')).reply.text).toBe("You joined Neon Nights. You'll hear about new posts there.");
    expect((await say('join neon nights')).reply.text).toBe("You're already in Neon Nights.");

    const ws: WebSocket = await t.app.injectWS('/v1/voice', { headers: { authorization: `Bearer ${tokens.nova}` } });
    const frames: { type?: string; kind?: string; text?: string }[] = [];
    ws.on('message', (data: Buffer) => frames.push(JSON.parse(data.toString('utf8'))));
    await new Promise((resolve) => setTimeout(resolve, 200)); // the route subscribes right after the upgrade

    const readBack = await say('post to Neon Nights saying the glitch drop is live');
    expect(readBack.reply).toMatchObject({ text: 'Post to Neon Nights: the glitch drop is live. Say yes to publish it.', expectsReply: true });
    const neon = await groupId('Neon Nights');
    const count = async () => (await ds.query('SELECT count(*)::int AS n FROM group_posts WHERE group_id = $1', [neon]))[0].n as number;
    expect(await count()).toBe(3); // nothing published before the yes
    expect((await say('no')).reply.text).toBe("Okay, I won't post it.");
    expect(await count()).toBe(3);
    await say('post to Neon Nights saying the glitch drop is live');
    expect((await say('yes')).reply.text).toBe('Posted to Neon Nights.');
    expect(await count()).toBe(4);

    const notified = await ds.query(`SELECT u.username FROM notifications n JOIN users u ON u.id = n.user_id WHERE n.kind = 'group_post' AND n.data->>'groupName' = 'Neon Nights' ORDER BY 1`);
    expect(notified.map((r: { username: string }) => r.username)).toEqual(['kenji', 'nova', 'vega']);
    for (let i = 0; i < 100 && !frames.some((f) => f.kind === 'group_post'); i++) await new Promise((resolve) => setTimeout(resolve, 20));
    expect(frames.find((f) => f.kind === 'group_post')).toMatchObject({ type: 'notification', text: 'alex posted in Neon Nights: the glitch drop is live' });
    ws.terminate();

    const news = await say("what's new in the Neon Nights group");
    expect(news.reply.text).toBe('The latest in Neon Nights: alex said: the glitch drop is live. Vega Flux said: Working on a glitch series for next month. Kenji Sato said: Quantum Koi has only a few editions left.');
    const mine = await say('read the latest posts in my groups');
    expect(mine.reply.text).toContain('alex in Neon Nights said: the glitch drop is live.');
    expect((await say('leave Neon Nights')).reply.text).toBe('You left Neon Nights.');
    expect((await say('leave Neon Nights')).reply.text).toBe("You weren't in Neon Nights.");
    expect((await say('group news')).reply.text).toBe("You're not in any group yet. Try: join Neon Nights.");
  });

  it('asks which group and what to post when they were not said', async () => {
    const { say } = conversation(t.app, tokens.kenji!);
    expect((await say('join a designer group')).reply.text).toBe('Which group would you like to join?');
    expect((await say('Calm Makers')).reply.text).toBe("You joined Calm Makers. You'll hear about new posts there.");
    expect((await say('post a message to Calm Makers')).reply.text).toBe('What should I post to Calm Makers?');
    expect((await say('Tea ceremony chips next week')).reply.text).toBe('Post to Calm Makers: Tea ceremony chips next week. Say yes to publish it.');
    expect((await say('yes')).reply.text).toBe('Posted to Calm Makers.');
    // An unknown group is never guessed at (as with chips, an unknown name is not understood).
    expect((await say('join the Sunset Club group')).outcome).toBe('not_understood');
    const kenji = await userId('kenji');
    const [row] = await ds.query('SELECT text FROM group_posts WHERE author_id = $1 AND group_id = $2', [kenji, await groupId('Calm Makers')]);
    expect(row.text).toBe('Tea ceremony chips next week');
  });
});

describe('a post read-back follows the purchase rules', () => {
  it('answers an aside and recalls the post, re-asks an unclear answer once, and publishes only on a clear yes', async () => {
    const { say } = conversation(t.app, tokens.aria!);
    const calm = await groupId('Calm Makers');
    const count = async () => (await ds.query('SELECT count(*)::int AS n FROM group_posts WHERE group_id = $1', [calm]))[0].n as number;
    const before = await count();
    await say('post to Calm Makers saying new drop coming soon');
    const aside = await say('what do people say about Kenji Sato');
    expect(aside).toMatchObject({ intent: 'ReadReviews', reply: { expectsReply: true } });
    expect(aside.reply.text).toMatch(/^Kenji Sato has .* Still want to post it to Calm Makers\?$/);
    const unclear = await say('hmm');
    expect(unclear.reply).toMatchObject({ text: 'Say yes to post it to Calm Makers, or no to cancel.', expectsReply: true });
    const help = await say('what can I say');
    expect(help.reply.text).toMatch(/^I'm waiting for your answer: Post to Calm Makers: new drop coming soon\. Say yes to publish it\. Say yes to go ahead/);
    expect(await count()).toBe(before);
    expect((await say('yes')).reply.text).toBe('Posted to Calm Makers.');
    expect(await count()).toBe(before + 1);
  });

  it('asks whom to review and what to say, and takes an aside in between', async () => {
    const { say } = conversation(t.app, tokens.sam!);
    expect((await say('leave a review')).reply.text).toBe('Which designer would you like to review?');
    expect((await say('Lumen Labs')).reply.text).toBe('What would you like to say about Lumen Labs?');
    const aside = await say("what's my balance");
    expect(aside.reply.text).toMatch(/^You have \d+ credits\. What would you like to say about Lumen Labs\?$/);
    expect((await say('Soft light, lovely work!')).reply.text).toBe('Thanks. Your review of Lumen Labs is posted.');
    const [row] = await ds.query('SELECT r.text FROM reviews r JOIN users u ON u.id = r.client_id WHERE u.username = $1', ['sam']);
    expect(row.text).toBe('Soft light, lovely work!');
  });

  it('lists the commands about other people in help, by role', async () => {
    const client = (await conversation(t.app, tokens.alex!).say('what can I say')).reply.text;
    expect(client).toContain('buy Neon Dragon');
    expect(client).toMatch(/With other collectors and designers: .*recommend me something.*join Neon Nights/);
    const designer = (await conversation(t.app, tokens.nova!).say('what can I say')).reply.text;
    expect(designer).toMatch(/With other collectors and designers: .*post to Neon Nights saying hello everyone/);
    expect(designer).not.toContain('recommend me something');
  });
});
