import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { Type, type Static } from '@sinclair/typebox';
import { principalOf } from './auth-plugin.js';

const SlotValue = Type.Union([Type.String(), Type.Number(), Type.Boolean()]);

export const CommandBody = Type.Object({
  text: Type.String({ minLength: 1, maxLength: 500 }),
  /** Reuse to continue a dialog (also across reconnects and instances); a new one is made when absent. */
  sessionId: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{8,64}$' })),
  /** A retry with the same id gets the same answer and never charges twice. */
  commandId: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,128}$' })),
}, { additionalProperties: false });

export const CommandResponse = Type.Object({
  commandId: Type.String(),
  sessionId: Type.String(),
  intent: Type.Union([Type.String(), Type.Null()]),
  slots: Type.Record(Type.String(), SlotValue),
  confidence: Type.Number(),
  reply: Type.Object({
    text: Type.String(),
    ssml: Type.String(),
    data: Type.Optional(Type.Unknown()),
    expectsReply: Type.Boolean(),
  }),
  outcome: Type.Union([Type.Literal('ok'), Type.Literal('rejected'), Type.Literal('not_understood'), Type.Literal('error')]),
});

/** `POST /v1/commands`: a typed command, answered like a spoken one (and logged the same way). */
export async function commandRoutes(app: FastifyInstance): Promise<void> {
  app.post<{ Body: Static<typeof CommandBody>; Reply: Static<typeof CommandResponse> }>('/v1/commands', {
    preHandler: app.requireAuth,
    config: { allowDeviceCredential: true },
    schema: { body: CommandBody, response: { 200: CommandResponse } },
  }, async (request) => {
    const principal = principalOf(request);
    const sessionId = request.body.sessionId ?? randomUUID();
    const result = await app.assistant.handle({
      principal,
      sessionId,
      isNewSession: request.body.sessionId === undefined,
      ...(request.body.commandId ? { commandId: request.body.commandId } : {}),
      transcript: { text: request.body.text, source: 'text', confidence: 1, engine: 'text' },
    });
    return {
      commandId: result.commandId,
      sessionId,
      intent: result.understanding.intent,
      slots: { ...result.understanding.slots },
      confidence: result.understanding.confidence,
      reply: { ...result.reply, expectsReply: result.reply.expectsReply ?? false },
      outcome: result.outcome,
    };
  });
}
