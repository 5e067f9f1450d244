import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, Unique } from 'typeorm';

/** Kinds of outbox events (one handler each in src/marketplace/outbox.ts). */
export const OUTBOX_KINDS = ['auto_buy'] as const;
export type OutboxKind = (typeof OUTBOX_KINDS)[number];

/**
 * Work written in the same transaction as the change that causes it (transactional outbox), done
 * later by a worker on any instance. A worker claims a row with `FOR UPDATE SKIP LOCKED`, does the
 * work and sets `processed_at` in one transaction, so every event takes effect exactly once.
 */
@Entity('outbox_events')
@Unique('outbox_events_dedupe_key', ['dedupeKey'])
@Check('outbox_events_kind_check', `kind IN ('auto_buy')`)
@Check('outbox_events_attempts_check', 'attempts >= 0')
@Index('outbox_events_pending_idx', ['processedAt', 'availableAt'])
export class OutboxEvent {
  @PrimaryGeneratedColumn('identity', { type: 'bigint' })
  id!: string;

  @Column({ type: 'varchar', length: 32 })
  kind!: OutboxKind;

  /** One event per effect, e.g. `autobuy:<chipId>:<clientId>`: the same event is never queued twice. */
  @Column({ type: 'varchar', length: 160 })
  dedupeKey!: string;

  @Column({ type: 'jsonb' })
  payload!: Record<string, unknown>;

  /** Failed tries so far (a crash mid-try leaves no trace: the transaction rolls back). */
  @Column({ type: 'integer', default: 0 })
  attempts!: number;

  /** Not claimed before this time (retry back-off). */
  @Column({ type: 'timestamptz', default: () => 'now()' })
  availableAt!: Date;

  /** null while pending. */
  @Column({ type: 'timestamptz', nullable: true })
  processedAt!: Date | null;

  /** How it ended, e.g. `bought`, `insufficient_credits`, `sold_out`, `failed`. */
  @Column({ type: 'varchar', length: 32, nullable: true })
  outcome!: string | null;

  @Column({ type: 'text', nullable: true })
  lastError!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
