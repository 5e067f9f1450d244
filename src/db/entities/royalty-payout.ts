import { Check, Column, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { Purchase } from './purchase.js';
import { DesignerProfile } from './designer-profile.js';

@Entity('royalty_payouts')
@Unique('royalty_payouts_transaction_designer_key', ['transactionId', 'designerId'])
@Check('royalty_payouts_amount_check', 'amount_credits >= 0')
export class RoyaltyPayout {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  transactionId!: string;

  @ManyToOne(() => Purchase, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'transaction_id' })
  transaction?: Purchase;

  @Index('royalty_payouts_designer_idx')
  @Column({ type: 'uuid' })
  designerId!: string;

  @ManyToOne(() => DesignerProfile, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'designer_id' })
  designer?: DesignerProfile;

  @Column({ type: 'integer' })
  amountCredits!: number;

  @Column({ type: 'integer' })
  shareBps!: number;
}
