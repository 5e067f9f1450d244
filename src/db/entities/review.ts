import { Check, Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';
import { User } from './user.js';
import { DesignerProfile } from './designer-profile.js';

@Entity('reviews')
@Unique('reviews_client_designer_key', ['clientId', 'designerId'])
@Check('reviews_rating_check', 'rating BETWEEN 1 AND 5')
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

  @Column({ type: 'smallint' })
  rating!: number;

  @Column({ type: 'text', default: '' })
  text!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
