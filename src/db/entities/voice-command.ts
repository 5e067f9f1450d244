import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { CommandOutcome } from '../../contracts.js';
import { User } from './user.js';

/** The log of every command, understood or not, for review by its speaker. */
@Entity('voice_commands')
@Index('voice_commands_user_created_idx', ['userId', 'createdAt'])
// History pages newest first by (created_at, id); the migration creates it with DESC columns.
@Index('voice_commands_user_created_id_idx', ['userId', 'createdAt', 'id'])
@Index('voice_commands_user_command_key', ['userId', 'commandId'], { unique: true })
@Check('voice_commands_source_check', `source IN ('voice', 'text')`)
@Check('voice_commands_outcome_check', `outcome IN ('ok', 'rejected', 'not_understood', 'error')`)
@Check('voice_commands_confidence_check', 'asr_confidence IS NULL OR (asr_confidence >= 0 AND asr_confidence <= 1)')
@Check('voice_commands_latency_check', 'latency_ms >= 0')
@Check('voice_commands_nlu_confidence_check', 'nlu_confidence IS NULL OR (nlu_confidence >= 0 AND nlu_confidence <= 1)')
export class VoiceCommand {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** null for anonymous transcription. */
  @Column({ type: 'uuid', nullable: true })
  userId!: string | null;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: User;

  @Column({ type: 'varchar', length: 64 })
  sessionId!: string;

  /** The client's id for the command: a retry with the same id is answered from this row. */
  @Column({ type: 'varchar', length: 128, nullable: true })
  commandId!: string | null;

  @Column({ type: 'varchar', length: 8 })
  source!: 'voice' | 'text';

  @Column({ type: 'text' })
  transcript!: string;

  @Column({ type: 'real', nullable: true })
  asrConfidence!: number | null;

  @Column({ type: 'varchar', length: 64 })
  engine!: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  intent!: string | null;

  @Column({ type: 'real', nullable: true })
  nluConfidence!: number | null;

  @Column({ type: 'jsonb', default: {} })
  slots!: Record<string, unknown>;

  @Column({ type: 'varchar', length: 16 })
  outcome!: CommandOutcome;

  @Column({ type: 'text', default: '' })
  replyText!: string;

  /** The whole reply (text, SSML, data), to answer a retried command identically. */
  @Column({ type: 'jsonb', default: {} })
  reply!: Record<string, unknown>;

  @Column({ type: 'integer' })
  latencyMs!: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
