import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { Chip } from './chip.js';
import { User } from './user.js';
import { Purchase } from './purchase.js';

/** One numbered edition of a chip and who owns it. */
@Entity('editions')
@Unique('editions_chip_number_key', ['chipId', 'editionNumber'])
@Check('editions_number_check', 'edition_number > 0')
export class Edition {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  chipId!: string;

  @ManyToOne(() => Chip, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'chip_id' })
  chip?: Chip;

  @Column({ type: 'integer' })
  editionNumber!: number;

  @Index('editions_owner_idx')
  @Column({ type: 'uuid' })
  ownerId!: string;

  @ManyToOne(() => User, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'owner_id' })
  owner?: User;

  @Column({ type: 'uuid' })
  purchaseId!: string;

  @ManyToOne(() => Purchase, { onDelete: 'RESTRICT' })
  @JoinColumn({ name: 'purchase_id' })
  purchase?: Purchase;

  @CreateDateColumn({ type: 'timestamptz' })
  acquiredAt!: Date;
}
