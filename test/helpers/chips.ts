import { expect } from 'vitest';
import type { TestApp } from './app.js';

type AppWithTokens = Pick<TestApp, 'app' | 'tokenFor'>;

/** Publishes a chip as `username` through POST /v1/chips; it must be created. */
export async function publishChip(t: AppWithTokens, username: string, body: Record<string, unknown>): Promise<{ id: string; name: string; autoBuysQueued: number }> {
  const res = await t.app.inject({ method: 'POST', url: '/v1/chips', headers: { authorization: `Bearer ${await t.tokenFor(username)}` }, payload: body });
  expect(res.statusCode, res.body).toBe(201);
  return res.json();
}

/** `username` accepts or declines the invitation to collaborate on a chip; the answer must be taken. */
export async function answerCollaboration(t: AppWithTokens, username: string, chipId: string, accept: boolean): Promise<void> {
  const res = await t.app.inject({
    method: 'POST', url: `/v1/chips/${chipId}/collaboration`, headers: { authorization: `Bearer ${await t.tokenFor(username)}` }, payload: { accept },
  });
  expect(res.statusCode, res.body).toBe(200);
}
