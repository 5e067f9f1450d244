import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import type { CommandOutcome } from '../../contracts.js';
import { User } from './user.js';

/** The log of every command, understood or not, for review by its speaker. */
@Entity('voice_commands')
@Index('voice_commands_user_created_idx', ['userId', 'createdAt'])
@Check('voice_commands_source_check', `source IN ('voice', 'text')`)
@Check('voice_commands_outcome_check', `outcome IN ('ok', 'rejected', 'not_understood', 'error')`)
@Check('voice_commands_confidence_check', 'asr_confidence IS NULL OR (asr_confidence >= 0 AND asr_confidence <= 1)')
@Check('voice_commands_latency_check', 'latency_ms >= 0')
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

  @Column({ type: 'jsonb', default: {} })
  slots!: Record<string, unknown>;

  @Column({ type: 'varchar', length: 16 })
  outcome!: CommandOutcome;

  @Column({ type: 'text', default: '' })
  replyText!: string;

  @Column({ type: 'integer' })
  latencyMs!: number;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
