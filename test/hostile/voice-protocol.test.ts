import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { closeTestApp, connectVoice, INJECTIONS, isErrorFrame, ODD_UNICODE, snapshot, type Frame, type Snapshot, type VoiceConnection } from './helpers.js';

/**
 * The `/v1/voice` protocol handler against whatever a client sends: every frame gets a clear error
 * frame or a correct answer, the connection stays usable, nothing is written that should not be.
 */
type Sent = { readonly binary: Uint8Array } | { readonly text: string };

const hostileText = fc.array(fc.oneof(fc.constantFrom(...INJECTIONS), fc.constantFrom(...ODD_UNICODE), fc.string({ unit: 'binary', maxLength: 10 }), fc.constantFrom('read my', 'notifications', 'balance')), { minLength: 1, maxLength: 6 })
  .map((parts) => parts.join(' '));
const validMessages = [
  '{"config": {"sample_rate": 16000, "words": true}}', '{"type": "text", "text": "what is my balance"}', '{"reset" : 1}',
  '{"config": {"phrase_list": ["buy the neon dragon chip"], "max_alternatives": 2}}',
];
const wrongType = fc.oneof(fc.string({ maxLength: 8 }), fc.array(fc.integer(), { maxLength: 3 }), fc.constant(null), fc.object({ maxDepth: 1 }), fc.double(), fc.boolean());

const frame: fc.Arbitrary<Sent> = fc.oneof(
  // audio before (or without) a config, of odd sizes
  fc.uint8Array({ maxLength: 64 }).map((binary) => ({ binary })),
  // any text at all
  fc.string({ unit: 'binary', maxLength: 80 }).map((text) => ({ text })),
  // valid messages cut short
  fc.tuple(fc.constantFrom(...validMessages), fc.nat()).map(([m, n]) => ({ text: m.slice(0, n % m.length) })),
  // deeply nested JSON, bare and inside a config
  fc.tuple(fc.integer({ min: 1, max: 20_000 }), fc.constantFrom('[', '{"a":', '{"config":')).map(([n, open]) => ({
    text: open === '[' ? `${'['.repeat(n)}${']'.repeat(n)}` : `${open.repeat(n)}1${'}'.repeat(n)}`,
  })),
  // config fields of the wrong type
  fc.record({ sample_rate: wrongType, words: wrongType, max_alternatives: wrongType, phrase_list: fc.oneof(wrongType, fc.array(fc.oneof(fc.string(), fc.integer()), { maxLength: 3 })), tts: wrongType }, { requiredKeys: [] })
    .map((config) => ({ text: JSON.stringify({ config }) })),
  fc.oneof(wrongType, fc.array(fc.anything(), { maxLength: 2 })).map((config) => ({ text: JSON.stringify({ config }) })),
  // text commands carrying injections and odd Unicode, with odd ids
  fc.record({ text: hostileText, commandId: fc.option(fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom(...INJECTIONS)), { nil: undefined }) })
    .map((m) => ({ text: JSON.stringify({ type: 'text', ...m }) })),
  fc.record({ type: fc.constantFrom('text', 'TEXT', 'reply', 'error', 'notification', 'config'), text: fc.oneof(wrongType, fc.constant(''), fc.constant('x'.repeat(501))) })
    .map((m) => ({ text: JSON.stringify(m) })),
  // arbitrary JSON (a top-level "eof" ends the session by design, so it is left out here)
  fc.json({ maxDepth: 3 }).filter((j) => !/^\{.*"eof"/s.test(j)).map((text) => ({ text })),
);

/** The frames a correct server may send. */
function isAcceptable(f: Frame): boolean {
  if (isErrorFrame(f)) return f.code !== 'HM_ERR_INTERNAL';
  if (f.type === 'reply') return typeof f.commandId === 'string' && typeof f.text === 'string' && typeof f.outcome === 'string';
  if (f.type === 'notification') return true;
  if (f.type === undefined) return 'partial' in f || typeof f.text === 'string';
  return false;
}

const MONEY_INTENTS = new Set(['BuyChip', 'Confirm']);

let t: TestApp;
let token: string;
beforeAll(async () => {
  t = await createTestApp({ MAX_VOICE_SESSIONS_PER_USER: '1000', COMMAND_RATE_LIMIT_MAX: '100000' });
  token = await t.tokenFor('alex');
});
afterAll(async () => { await closeTestApp(t); });

describe('voice protocol under hostile frames (property)', () => {
  let before: Snapshot;
  // A retried commandId is answered from the log without a new row: count distinct ids.
  const acknowledged = new Set<string>();
  let probes = 0;
  beforeAll(async () => { before = await snapshot(t.database.db.dataSource); });

  /** A valid command after the garbage: handled in order, so its reply means everything before it was answered. */
  async function probe(c: VoiceConnection): Promise<Frame> {
    probes += 1;
    const commandId = `probe-${probes}-${Date.now()}`;
    c.ws.send(JSON.stringify({ type: 'text', text: "what's my balance", commandId }));
    return c.waitFor((f) => f.type === 'reply' && f.commandId === commandId, `reply to ${commandId}`);
  }

  it('answers every frame with an error frame or a correct answer and stays open', async () => {
    await fc.assert(fc.asyncProperty(fc.array(frame, { minLength: 1, maxLength: 12 }), async (sent) => {
      const c = await connectVoice(t, token);
      try {
        for (const s of sent) {
          if ('binary' in s) c.ws.send(s.binary, { binary: true });
          else c.ws.send(s.text);
        }
        const reply = await probe(c);
        expect(reply.intent).toBe('CheckBalance');
        expect(c.isOpen()).toBe(true);
        const bad = c.frames.filter((f) => !isAcceptable(f));
        expect(bad, JSON.stringify(bad).slice(0, 500)).toEqual([]);
        expect(c.frames.filter((f) => f.type === 'reply' && MONEY_INTENTS.has(String(f.intent)))).toEqual([]);
        for (const f of c.frames) if (f.type === 'reply') acknowledged.add(String(f.commandId));
      } finally {
        c.ws.close();
        await c.closed;
      }
    }), { seed: 4_242, numRuns: 60 });
  });

  it('wrote nothing but one log row per acknowledged command', async () => {
    const ds = t.database.db.dataSource;
    await expect.poll(async () => (await snapshot(ds)).voiceCommands, { timeout: 5_000 }).toBe(before.voiceCommands + acknowledged.size);
    const after = await snapshot(ds);
    expect({ ...after, voiceCommands: 0 }).toEqual({ ...before, voiceCommands: 0 });
  });

  it('still serves a valid command on a fresh connection', async () => {
    const c = await connectVoice(t, token);
    c.ws.send('{"type": "text", "text": "what is my balance"}');
    const reply = await c.waitFor((f) => f.type === 'reply', 'reply');
    expect(reply).toMatchObject({ intent: 'CheckBalance', outcome: 'ok' });
    expect(String((reply.reply as { text: string }).text)).toMatch(/500/);
    c.ws.close();
    await c.closed;
  });
});

describe('voice protocol regressions', () => {
  async function exchange(messages: string[]): Promise<Frame[]> {
    const c = await connectVoice(t, token);
    for (const m of messages) c.ws.send(m);
    c.ws.send('{"type": "text", "text": "what is my balance", "commandId": "sentinel-' + String(Date.now()) + '"}');
    await c.waitFor((f) => f.type === 'reply' && String(f.commandId).startsWith('sentinel-'), 'sentinel reply');
    c.ws.close();
    await c.closed;
    return c.frames.filter((f) => !(f.type === 'reply' && String(f.commandId).startsWith('sentinel-')));
  }

  it.each([
    ['sample_rate as a string', '{"config": {"sample_rate": "16000"}}'],
    ['sample_rate as a list', '{"config": {"sample_rate": [16000]}}'],
    ['words as a string', '{"config": {"words": "false"}}'],
    ['tts as a string', '{"config": {"tts": "no"}}'],
    ['max_alternatives as a string', '{"config": {"max_alternatives": "2"}}'],
    ['config as a list', '{"config": [16000]}'],
  ])('refuses a config with %s (it was coerced and accepted)', async (_what, message) => {
    const frames = await exchange([message]);
    expect(frames).toHaveLength(1);
    expect(frames[0]).toMatchObject({ type: 'error', code: 'HM_ERR_VOICE_PROTOCOL' });
  });

  it('still accepts what vosk clients send', async () => {
    expect(await exchange(['{"config": {"sample_rate": 8000, "words": 1, "max_alternatives": 0}}', '{ "config" : { "sample_rate" : 16000.0 } }', '{"config": {"words": true, "tts": false}}'])).toEqual([]);
  });

  it('answers a text command containing NUL with a protocol error (PostgreSQL cannot store it)', async () => {
    const frames = await exchange([JSON.stringify({ type: 'text', text: 'what is my\u0000 balance' })]);
    expect(frames).toEqual([expect.objectContaining({ type: 'error', code: 'HM_ERR_VOICE_PROTOCOL' })]);
  });

  it('answers an unspeakable phrase_list with a protocol error, not an internal one', async () => {
    const frames = await exchange(['{"config": {"phrase_list": ["\'", "\'\'"]}}']);
    expect(frames).toEqual([expect.objectContaining({ type: 'error', code: 'HM_ERR_VOICE_PROTOCOL' })]);
  });

  it('stores an injected transcript verbatim and executes none of it', async () => {
    const ds = t.database.db.dataSource;
    const users = (await ds.query('SELECT count(*)::int AS n FROM users')) as { n: number }[];
    const text = "read my notifications'); DROP TABLE users;-- <script>alert(1)</script>";
    const c = await connectVoice(t, token);
    c.ws.send(JSON.stringify({ type: 'text', text }));
    const reply = await c.waitFor((f) => f.type === 'reply', 'reply');
    expect(reply.text).toBe(text);
    c.ws.close();
    await c.closed;
    const history = await t.app.inject({ method: 'GET', url: `/v1/history?q=${encodeURIComponent('DROP TABLE users')}`, headers: { authorization: `Bearer ${token}` } });
    expect(history.statusCode).toBe(200);
    expect(history.json<{ items: { transcript: string }[] }>().items.map((i) => i.transcript)).toContain(text);
    expect(await ds.query('SELECT count(*)::int AS n FROM users')).toEqual(users);
  });
});
