import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

export interface CommandReply {
  commandId: string;
  sessionId: string;
  intent: string | null;
  slots: Record<string, string | number | boolean>;
  confidence: number;
  reply: { text: string; ssml: string; data?: unknown; expectsReply: boolean };
  outcome: 'ok' | 'rejected' | 'not_understood' | 'error';
}

/** A typed conversation in one session: `say('buy neon dragon')` posts to /v1/commands. */
export function conversation(app: FastifyInstance, token: string, sessionId = `s-${randomUUID()}`) {
  return {
    sessionId,
    async say(text: string, extra: { commandId?: string } = {}): Promise<CommandReply> {
      const res = await app.inject({
        method: 'POST', url: '/v1/commands', headers: { authorization: `Bearer ${token}` },
        payload: { text, sessionId, ...extra },
      });
      if (res.statusCode !== 200) throw new Error(`POST /v1/commands ${res.statusCode}: ${res.body}`);
      return res.json<CommandReply>();
    },
  };
}
