import { Check, Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';
import { User } from './user.js';
import { DesignerProfile } from './designer-profile.js';

@Entity('reviews')
@Unique('reviews_client_designer_key', ['clientId', 'designerId'])
@Check('reviews_rating_check', 'rating BETWEEN 1 AND 5')
@Check('reviews_text_check', 'char_length(text) <= 500')
export class Review {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  clientId!: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'client_id' })
  client?: User;

  @Column({ type: 'uuid' })
  designerId!: string;

  @ManyToOne(() => DesignerProfile, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'designer_id' })
  designer?: DesignerProfile;

  /** 1–5 stars; null for a written review without stars. */
  @Column({ type: 'smallint', nullable: true })
  rating!: number | null;

  /** The review as written or spoken, stored verbatim (escaped wherever it is shown). */
  @Column({ type: 'text', default: '' })
  text!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
