import type { EntityManager } from 'typeorm';
import type { CommandOutcome, Slots } from '../contracts.js';
import { Errors } from '../errors.js';

/** One logged command as its speaker reviews it. */
export interface CommandRecord {
  readonly id: string;
  readonly commandId: string | null;
  readonly sessionId: string;
  /** ISO 8601 with microseconds (UTC). */
  readonly createdAt: string;
  readonly source: 'voice' | 'text';
  readonly transcript: string;
  readonly asrConfidence: number | null;
  readonly engine: string;
  readonly intent: string | null;
  readonly slots: Slots;
  readonly outcome: CommandOutcome;
  readonly replyText: string;
  readonly latencyMs: number;
}

export interface HistoryQuery {
  readonly userId: string;
  readonly from?: Date;
  readonly to?: Date;
  readonly intent?: string;
  readonly outcome?: CommandOutcome;
  /** Words to find in the transcript (case-insensitive substring). */
  readonly q?: string;
  /** Default 20. */
  readonly limit?: number;
  /** From a previous page's `nextCursor`. */
  readonly cursor?: string;
}

export interface HistoryPage {
  readonly items: CommandRecord[];
  /** Pass back as `cursor` for the next (older) page; null on the last page. */
  readonly nextCursor: string | null;
}

const CREATED_AT_TEXT = `to_char(v.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

export function encodeCursor(createdAt: string, id: string): string {
  return Buffer.from(JSON.stringify([createdAt, id])).toString('base64url');
}

/** @returns null when the cursor is not one this service made. */
export function decodeCursor(cursor: string): { createdAt: string; id: string } | null {
  try {
    const value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (!Array.isArray(value) || value.length !== 2) return null;
    const [createdAt, id] = value as unknown[];
    if (typeof createdAt !== 'string' || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/.test(createdAt)) return null;
    if (typeof id !== 'string' || !/^[0-9a-f-]{36}$/i.test(id)) return null;
    return { createdAt, id };
  } catch {
    return null;
  }
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * A user's commands, newest first, one keyset page at a time.
 * @throws HM_ERR_REQUEST_INVALID (400) for a cursor this service did not make.
 */
export async function listCommands(manager: EntityManager, query: HistoryQuery): Promise<HistoryPage> {
  const limit = Math.max(1, Math.min(query.limit ?? 20, 100));
  const params: unknown[] = [query.userId];
  const where = ['v.user_id = $1'];
  const add = (sql: (p: string) => string, value: unknown) => {
    params.push(value);
    where.push(sql(`$${params.length}`));
  };
  if (query.from) add((p) => `v.created_at >= ${p}`, query.from);
  if (query.to) add((p) => `v.created_at < ${p}`, query.to);
  if (query.intent) add((p) => `v.intent = ${p}`, query.intent);
  if (query.outcome) add((p) => `v.outcome = ${p}`, query.outcome);
  if (query.q) add((p) => `v.transcript ILIKE ${p}`, `%${escapeLike(query.q)}%`);
  if (query.cursor) {
    const cursor = decodeCursor(query.cursor);
    if (!cursor) throw Errors.BadRequest('cursor is not one this service returned');
    params.push(cursor.createdAt, cursor.id);
    where.push(`(v.created_at, v.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
  }
  params.push(limit + 1);
  const rows = await manager.query(
    `SELECT v.id, v.command_id, v.session_id, ${CREATED_AT_TEXT} AS created_at, v.source, v.transcript, v.asr_confidence,
            v.engine, v.intent, v.slots, v.outcome, v.reply_text, v.latency_ms
       FROM voice_commands v
      WHERE ${where.join(' AND ')}
      ORDER BY v.created_at DESC, v.id DESC
      LIMIT $${params.length}`, params) as Record<string, unknown>[];
  const page = rows.slice(0, limit).map(toRecord);
  const last = page.at(-1);
  return { items: page, nextCursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : null };
}

function toRecord(r: Record<string, unknown>): CommandRecord {
  return {
    id: String(r.id),
    commandId: (r.command_id as string | null) ?? null,
    sessionId: String(r.session_id),
    createdAt: String(r.created_at),
    source: r.source as 'voice' | 'text',
    transcript: String(r.transcript),
    asrConfidence: r.asr_confidence === null ? null : Number(r.asr_confidence),
    engine: String(r.engine),
    intent: (r.intent as string | null) ?? null,
    slots: (r.slots as Slots) ?? {},
    outcome: r.outcome as CommandOutcome,
    replyText: String(r.reply_text),
    latencyMs: Number(r.latency_ms),
  };
}
