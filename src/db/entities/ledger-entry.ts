import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { User } from './user.js';

export const SYSTEM_ACCOUNTS = ['platform_fees', 'mint'] as const;
export type SystemAccount = (typeof SYSTEM_ACCOUNTS)[number];

/**
 * Double-entry wallet ledger. Every transfer is ≥ 2 rows whose amounts sum to zero (a deferred
 * constraint trigger checks it at commit); a user's balance is the sum of their rows.
 * Each row belongs either to a user's wallet or to a system account (fees, minted top-ups).
 */
@Entity('ledger_entries')
@Check('ledger_entries_account_check', '(user_id IS NULL) <> (system_account IS NULL)')
@Check('ledger_entries_system_account_check', `system_account IS NULL OR system_account IN ('platform_fees', 'mint')`)
@Check('ledger_entries_amount_check', 'amount <> 0')
@Index('ledger_entries_user_idx', ['userId', 'createdAt'])
export class LedgerEntry {
  @PrimaryGeneratedColumn('identity', { type: 'bigint' })
  id!: string;

  @Index('ledger_entries_transfer_idx')
  @Column({ type: 'uuid' })
  transferId!: string;

  @Column({ type: 'uuid', nullable: true })
  userId!: string | null;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'user_id' })
  user?: User;

  @Column({ type: 'varchar', length: 32, nullable: true })
  systemAccount!: SystemAccount | null;

  /** Signed integer credits: positive credits the account, negative debits it. */
  @Column({ type: 'integer' })
  amount!: number;

  /** e.g. `top_up`, `purchase`, `royalty`, `platform_fee`. */
  @Column({ type: 'varchar', length: 32 })
  reason!: string;

  /** The sale this entry belongs to, if any. */
  @Column({ type: 'uuid', nullable: true })
  transactionId!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
