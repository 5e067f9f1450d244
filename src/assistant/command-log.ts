import type { DataSource, EntityManager } from 'typeorm';
import type { CommandOutcome, Reply, Slots, Transcript, Understanding } from '../contracts.js';

/** One row of voice_commands, as the assistant writes it. */
export interface CommandLogEntry {
  readonly commandId: string;
  readonly userId: string;
  readonly sessionId: string;
  readonly transcript: Transcript;
  readonly intent: string | null;
  readonly slots: Slots;
  readonly nluConfidence: number;
  readonly outcome: CommandOutcome;
  readonly reply: Reply;
  readonly latencyMs: number;
}

/** A logged command's answer, as a retry with the same command id gets it again. */
export interface LoggedCommand {
  readonly commandId: string;
  readonly understanding: Understanding;
  readonly reply: Reply;
  readonly outcome: CommandOutcome;
}

const clamp01 = (x: number) => Math.min(1, Math.max(0, Number.isFinite(x) ? x : 0));

/** The columns a log row is written with, in the order of {@link commandLogValues}. */
export const COMMAND_LOG_COLUMNS = [
  'command_id', 'user_id', 'session_id', 'source', 'transcript', 'asr_confidence', 'engine', 'intent', 'slots',
  'nlu_confidence', 'outcome', 'reply_text', 'reply', 'latency_ms',
] as const;

/** The parameters of one log row, clamped to what the table's checks accept. */
export function commandLogValues(entry: CommandLogEntry): unknown[] {
  return [
    entry.commandId, entry.userId, entry.sessionId, entry.transcript.source, entry.transcript.text,
    entry.transcript.source === 'voice' ? clamp01(entry.transcript.confidence) : null,
    entry.transcript.engine.slice(0, 64), entry.intent?.slice(0, 64) ?? null, JSON.stringify(entry.slots),
    clamp01(entry.nluConfidence), entry.outcome, entry.reply.text, JSON.stringify(entry.reply), Math.max(0, Math.round(entry.latencyMs)),
  ];
}

/**
 * Inserts the log row inside the caller's transaction (commands that change something log with
 * their effect; read-only ones go through the group-commit writer, see log-writer.ts).
 * @returns false when this user already logged this command id (a concurrent retry won).
 */
export async function insertCommandLog(manager: EntityManager, entry: CommandLogEntry): Promise<boolean> {
  const rows = await manager.query(
    `INSERT INTO voice_commands (${COMMAND_LOG_COLUMNS.join(', ')})
     VALUES (${COMMAND_LOG_COLUMNS.map((_, i) => `$${i + 1}`).join(', ')})
     ON CONFLICT (user_id, command_id) DO NOTHING
     RETURNING id`,
    commandLogValues(entry),
  ) as unknown[];
  return rows.length > 0;
}

/** The answer already given to this user's command id, or null. */
export async function findLoggedCommand(db: DataSource | EntityManager, userId: string, commandId: string): Promise<LoggedCommand | null> {
  const [row] = await db.query(
    `SELECT command_id, transcript, intent, slots, nlu_confidence, outcome, reply_text, reply
       FROM voice_commands WHERE user_id = $1 AND command_id = $2`, [userId, commandId]) as Record<string, unknown>[];
  if (!row) return null;
  const stored = row.reply as Partial<Reply>;
  return {
    commandId,
    understanding: {
      text: String(row.transcript),
      intent: (row.intent as string | null) ?? null,
      confidence: row.nlu_confidence === null ? 0 : Number(row.nlu_confidence),
      slots: (row.slots as Slots) ?? {},
    },
    reply: {
      text: String(row.reply_text),
      ssml: stored.ssml ?? '<speak></speak>',
      ...(stored.data === undefined ? {} : { data: stored.data }),
      expectsReply: stored.expectsReply ?? false,
    },
    outcome: row.outcome as CommandOutcome,
  };
}
