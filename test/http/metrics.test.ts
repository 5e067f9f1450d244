import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';

/** The value of one sample line of the exposition text, or undefined when it is not there. */
function sample(text: string, name: string, labels = ''): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels} `));
  return line === undefined ? undefined : Number(line.slice(line.lastIndexOf(' ') + 1));
}

describe('GET /metrics', () => {
  let t: TestApp;
  beforeAll(async () => { t = await createTestApp(); });
  afterAll(async () => { await t?.close(); });

  const command = async (text: string) => {
    const res = await t.app.inject({
      method: 'POST', url: '/v1/commands',
      headers: { authorization: `Bearer ${await t.tokenFor('alex')}` },
      payload: { text },
    });
    expect(res.statusCode).toBe(200);
    return res.json() as { outcome: string };
  };
  const scrape = async () => {
    const res = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return res.body;
  };

  it('counts commands by outcome, and the command log commits of read-only ones', async () => {
    const before = await scrape();
    const okBefore = sample(before, 'holomesh_command_duration_seconds_count', '{source="text",outcome="ok"}') ?? 0;
    const commitsBefore = sample(before, 'holomesh_command_log_commit_seconds_count') ?? 0;

    expect((await command('what is my balance')).outcome).toBe('ok');
    expect((await command('what is my balance')).outcome).toBe('ok');
    expect((await command('flibber the wobble')).outcome).toBe('not_understood');
    // Changes something: logged in its own transaction, not through the group commit.
    expect((await command('subscribe to kenji sato')).outcome).toBe('ok');

    const after = await scrape();
    expect(sample(after, 'holomesh_command_duration_seconds_count', '{source="text",outcome="ok"}')).toBe(okBefore + 3);
    expect(sample(after, 'holomesh_command_duration_seconds_count', '{source="text",outcome="not_understood"}')).toBeGreaterThanOrEqual(1);
    // The two balance questions and the not-understood one rode the group commit.
    expect(sample(after, 'holomesh_command_log_commit_seconds_count')).toBe(commitsBefore + 3);
    const waited = sample(after, 'holomesh_command_log_commit_seconds_sum')!;
    expect(waited).toBeGreaterThan(0);
    expect(sample(after, 'holomesh_command_log_batch_rows_sum')).toBeGreaterThanOrEqual(3);
    // A command's whole time includes its log row's commit.
    expect(sample(after, 'holomesh_command_duration_seconds_sum', '{source="text",outcome="ok"}')).toBeGreaterThan(0);
  });

  it('times HTTP requests by route pattern and status, unknown routes as one series', async () => {
    const count = (text: string, ...labels: string[]) => {
      const line = text.split('\n').find((l) => l.startsWith('holomesh_http_request_duration_seconds_count{') && labels.every((x) => l.includes(x)));
      return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
    };
    const before = await scrape();
    await command('what is my balance');
    for (const url of ['/v1/no-such-route', '/v1/no-such-route-either/42']) {
      expect((await t.app.inject({ method: 'GET', url })).statusCode).toBe(404);
    }
    const after = await scrape();
    expect(count(after, 'method="POST"', 'route="/v1/commands"', 'status_code="200"')).toBe(count(before, 'method="POST"', 'route="/v1/commands"', 'status_code="200"') + 1);
    expect(count(after, 'method="GET"', 'route="unmatched"', 'status_code="404"')).toBe(count(before, 'method="GET"', 'route="unmatched"', 'status_code="404"') + 2);
    expect(after).not.toContain('no-such-route');
  });

  it('reports the database pool, the open WebSockets and the process', async () => {
    const text = await scrape();
    expect(sample(text, 'holomesh_db_pool_connections', '{state="total"}')).toBeGreaterThanOrEqual(1);
    expect(sample(text, 'holomesh_db_pool_connections', '{state="waiting"}')).toBe(0);
    expect(sample(text, 'holomesh_websocket_connections')).toBe(0);
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(1e6);
    expect(text).toContain('# TYPE nodejs_eventloop_lag_p99_seconds gauge');
  });
});

describe('GET /metrics with METRICS_TOKEN', () => {
  let t: TestApp;
  const token = 'metrics-scraper-secret-0123456789';
  beforeAll(async () => { t = await createTestApp({ METRICS_TOKEN: token }); });
  afterAll(async () => { await t?.close(); });

  it('answers only a scraper that sends the token', async () => {
    const refused = [
      {},
      { authorization: 'Bearer wrong-token-wrong-token' },
      { authorization: token },
      // A user's access token is not the metrics token.
      { authorization: `Bearer ${await t.tokenFor('admin')}` },
    ];
    for (const headers of refused) {
      const res = await t.app.inject({ method: 'GET', url: '/metrics', headers });
      expect(res.statusCode).toBe(401);
      expect(res.json().error.code).toBe('HM_ERR_AUTH_REQUIRED');
    }
    const res = await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${token}` } });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('holomesh_command_duration_seconds');
  });

  it('still checks access tokens on every other route', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/health', headers: { authorization: `Bearer ${token}` } });
    expect(res.statusCode).toBe(401);
  });
});
