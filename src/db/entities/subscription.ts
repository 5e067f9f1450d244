import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { User } from './user.js';
import { DesignerProfile } from './designer-profile.js';

@Entity('subscriptions')
@Unique('subscriptions_client_designer_key', ['clientId', 'designerId'])
@Check('subscriptions_max_price_check', 'max_price IS NULL OR max_price >= 0')
export class Subscription {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  clientId!: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'client_id' })
  client?: User;

  @Index('subscriptions_designer_idx')
  @Column({ type: 'uuid' })
  designerId!: string;

  @ManyToOne(() => DesignerProfile, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'designer_id' })
  designer?: DesignerProfile;

  @Column({ type: 'boolean', default: false })
  autoBuy!: boolean;

  /** Auto-buy price cap in credits; null = no auto-buy cap set. */
  @Column({ type: 'integer', nullable: true })
  maxPrice!: number | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
