import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { DesignerProfile } from './designer-profile.js';

/** Collaborator shares must sum to 10 000 basis points: a deferred constraint trigger (migration). */
@Entity('chips')
@Check('chips_price_check', 'price_credits >= 0')
@Check('chips_edition_size_check', 'edition_size IS NULL OR edition_size > 0')
@Check('chips_editions_sold_check', 'editions_sold >= 0 AND (edition_size IS NULL OR editions_sold <= edition_size)')
export class Chip {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 120 })
  name!: string;

  @Index('chips_token_id_key', { unique: true })
  @Column({ type: 'varchar', length: 80 })
  tokenId!: string;

  /** sha256 of the chip's canonical metadata, hex. */
  @Column({ type: 'char', length: 64 })
  metadataHash!: string;

  /** The metadata that hash was computed from, as published (null for chips published before it was kept). */
  @Column({ type: 'jsonb', nullable: true })
  metadata!: Record<string, unknown> | null;

  @Index('chips_designer_idx')
  @Column({ type: 'uuid' })
  designerId!: string;

  @ManyToOne(() => DesignerProfile, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'designer_id' })
  designer?: DesignerProfile;

  /** Integer credits. */
  @Column({ type: 'integer' })
  priceCredits!: number;

  /** null = open edition. */
  @Column({ type: 'integer', nullable: true })
  editionSize!: number | null;

  @Column({ type: 'integer', default: 0 })
  editionsSold!: number;

  @Column({ type: 'text', array: true, default: '{}' })
  tags!: string[];

  @Column({ type: 'text', nullable: true })
  mediaUrl!: string | null;

  @Index('chips_published_at_idx')
  @Column({ type: 'timestamptz', default: () => 'now()' })
  publishedAt!: Date;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
