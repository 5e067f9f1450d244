import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { User } from './user.js';
import { Chip } from './chip.js';

/**
 * A sale (table `transactions`). Its royalty payouts sum exactly to price − platform fee:
 * a deferred constraint trigger checks it at commit (migration).
 */
@Entity('transactions')
@Unique('transactions_idempotency_key', ['buyerId', 'idempotencyKey'])
@Check('transactions_amounts_check', 'price_credits >= 0 AND platform_fee_credits >= 0 AND platform_fee_credits <= price_credits')
@Index('transactions_chip_created_idx', ['chipId', 'createdAt'])
@Check('transactions_kind_check', `kind IN ('purchase', 'auto_buy')`)
export class Purchase {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index('transactions_buyer_idx')
  @Column({ type: 'uuid' })
  buyerId!: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'buyer_id' })
  buyer?: User;

  @Column({ type: 'uuid' })
  chipId!: string;

  @ManyToOne(() => Chip, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'chip_id' })
  chip?: Chip;

  @Column({ type: 'integer' })
  priceCredits!: number;

  @Column({ type: 'integer' })
  platformFeeCredits!: number;

  @Column({ type: 'varchar', length: 16, default: 'purchase' })
  kind!: 'purchase' | 'auto_buy';

  /** A retried command with the same key never charges twice. */
  @Column({ type: 'varchar', length: 128 })
  idempotencyKey!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
