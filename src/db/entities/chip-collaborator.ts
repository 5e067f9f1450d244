import { Check, Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Chip } from './chip.js';
import { DesignerProfile } from './designer-profile.js';

@Entity('chip_collaborators')
@Check('chip_collaborators_share_check', 'share_bps > 0 AND share_bps <= 10000')
export class ChipCollaborator {
  @PrimaryColumn('uuid')
  chipId!: string;

  @PrimaryColumn('uuid')
  designerId!: string;

  @ManyToOne(() => Chip, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'chip_id' })
  chip?: Chip;

  @ManyToOne(() => DesignerProfile, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'designer_id' })
  designer?: DesignerProfile;

  /** Share of the chip's royalties in basis points (1/100 of a percent). */
  @Column({ type: 'integer' })
  shareBps!: number;

  /**
   * When the designer accepted being listed; null = an invitation not yet accepted. Until then the
   * chip does not show under their name and their share is paid to the publisher.
   */
  @Column({ type: 'timestamptz', nullable: true })
  acceptedAt!: Date | null;
}
