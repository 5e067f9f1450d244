import { Type, type Static, type TSchema } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { Errors } from '../errors.js';

/** What a client's text frame asks for. */
export type ClientMessage =
  | { readonly kind: 'config'; readonly config: unknown }
  | { readonly kind: 'eof' }
  | { readonly kind: 'reset' }
  | { readonly kind: 'text'; readonly text: string; readonly commandId: string | undefined };

/**
 * Asserts that `value` fits `schema`. Otherwise HM_ERR_VOICE_PROTOCOL with the `errorMessage` of
 * the schema where the first problem is (a field's), else of the frame's own schema.
 */
export function assertFrame<T extends TSchema>(schema: T, value: unknown): asserts value is Static<T> {
  if (Value.Check(schema, value)) return;
  const first = Value.Errors(schema, value).First();
  throw Errors.ProtocolViolation(errorMessageOf(first?.schema) ?? errorMessageOf(schema) ?? 'the frame is malformed');
}

function errorMessageOf(schema: TSchema | undefined): string | undefined {
  const message: unknown = schema?.errorMessage;
  return typeof message === 'string' ? message : undefined;
}

const JsonObject = Type.Record(Type.String(), Type.Unknown(), { errorMessage: 'a text frame must be a JSON object' });

// vosk-server tells its messages apart by the key they hold, whatever its value ({"eof" : 1}).
const Config = Type.Object({ config: Type.Unknown() });
const Eof = Type.Object({ eof: Type.Unknown() });
const Reset = Type.Object({ reset: Type.Unknown() });
const IsTextCommand = Type.Object({ type: Type.Literal('text') });

const TEXT_LENGTH = 'a text command needs "text": 1 to 500 characters';
const TextCommand = Type.Object({
  type: Type.Literal('text'),
  text: Type.Intersect([
    // 500 characters as POST /v1/commands; all blank is nothing to act on.
    Type.String({ maxLength: 500, pattern: '\\S', errorMessage: TEXT_LENGTH }),
    // PostgreSQL text cannot hold NUL: such a command would be answered but never logged.
    Type.String({ pattern: '^[^\\u0000]*$', errorMessage: '"text" must not contain NUL characters' }),
  ], { errorMessage: TEXT_LENGTH }),
  commandId: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{8,128}$', errorMessage: '"commandId" must be 8 to 128 letters, digits, "-" or "_"' })),
});

/**
 * A text frame of the `/v1/voice` protocol: vosk-server's `config`, `eof` and `reset` (checked in
 * that order, as there), or a typed command `{"type": "text", "text": …, "commandId"?: …}`.
 * @throws HM_ERR_VOICE_PROTOCOL for anything else, naming what is wrong.
 */
export function parseClientMessage(raw: string): ClientMessage {
  let message: unknown;
  try {
    message = JSON.parse(raw);
  } catch {
    throw Errors.ProtocolViolation('a text frame must be a JSON object');
  }
  assertFrame(JsonObject, message);
  if (Value.Check(Config, message)) return { kind: 'config', config: message.config };
  if (Value.Check(Eof, message)) return { kind: 'eof' };
  if (Value.Check(Reset, message)) return { kind: 'reset' };
  if (!Value.Check(IsTextCommand, message)) throw Errors.ProtocolViolation('unknown message: expected config, eof, reset or {"type":"text"}');
  assertFrame(TextCommand, message);
  return { kind: 'text', text: message.text.trim(), commandId: message.commandId };
}
