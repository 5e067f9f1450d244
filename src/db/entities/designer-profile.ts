import { Check, Column, Entity, JoinColumn, OneToOne, PrimaryColumn } from 'typeorm';
import { User } from './user.js';

/** display_name is unique case-insensitively through the index `designer_profiles_display_name_lower_key` (migration). */
@Entity('designer_profiles')
@Check('designer_profiles_rating_check', 'rating_count >= 0 AND rating_total >= rating_count AND rating_total <= 5 * rating_count')
export class DesignerProfile {
  @PrimaryColumn('uuid')
  userId!: string;

  @OneToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: User;

  @Column({ type: 'varchar', length: 80 })
  displayName!: string;

  @Column({ type: 'text', default: '' })
  bio!: string;

  @Column({ type: 'text', array: true, default: '{}' })
  portfolioUrls!: string[];

  /** Rating aggregate: the average is rating_total / rating_count (integers, never a stored float). */
  @Column({ type: 'integer', default: 0 })
  ratingCount!: number;

  @Column({ type: 'integer', default: 0 })
  ratingTotal!: number;
}
