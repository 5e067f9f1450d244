import type { CommandResult } from './assistant.js';

/**
 * What clients see of a command: the fields a final result (WebSocket), a text reply frame and
 * `POST /v1/speech-to-intent` add to the transcript. Plain vosk clients ignore them.
 */
export function toResultFields(result: CommandResult): Record<string, unknown> {
  return {
    commandId: result.commandId,
    intent: result.understanding.intent,
    slots: result.understanding.slots,
    confidence: result.understanding.confidence,
    outcome: result.outcome,
    reply: {
      text: result.reply.text,
      ssml: result.reply.ssml,
      expectsReply: result.reply.expectsReply ?? false,
      ...(result.reply.data === undefined ? {} : { data: result.reply.data }),
    },
  };
}
