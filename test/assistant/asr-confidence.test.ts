import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { User } from '../../src/db/entities/index.js';
import type { Transcript } from '../../src/contracts.js';
import { createTestApp, type TestApp } from '../helpers/app.js';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({ MIN_ASR_CONFIDENCE: '0.6' });
});
afterAll(() => t?.close());

async function ask(transcript: Transcript): Promise<string> {
  const u = await t.database.db.dataSource.getRepository(User).findOneByOrFail({ username: 'alex' });
  const result = await t.app.assistant.handle({
    principal: { userId: u.id, username: u.username, role: u.role },
    sessionId: `asr-${Math.random().toString(36).slice(2)}`,
    transcript,
  });
  return result.outcome;
}

describe('MIN_ASR_CONFIDENCE', () => {
  it('answers a spoken command heard less surely than the setting "not understood", and acts on one heard surely enough', async () => {
    const said = { text: 'what is my balance', source: 'voice', engine: 'test' } as const;
    expect(await ask({ ...said, confidence: 0.5 })).toBe('not_understood');
    expect(await ask({ ...said, confidence: 0.7 })).toBe('ok');
  });

  it('does not apply to typed commands', async () => {
    expect(await ask({ text: 'what is my balance', source: 'text', engine: 'text', confidence: 0.5 })).toBe('ok');
  });
});
