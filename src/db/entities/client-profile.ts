import { Column, Entity, JoinColumn, ManyToOne, OneToOne, PrimaryColumn } from 'typeorm';
import { User } from './user.js';
import { DesignerProfile } from './designer-profile.js';

@Entity('client_profiles')
export class ClientProfile {
  @PrimaryColumn('uuid')
  userId!: string;

  @OneToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: User;

  @Column({ type: 'uuid', nullable: true })
  favoriteDesignerId!: string | null;

  @ManyToOne(() => DesignerProfile, { onDelete: 'SET NULL', nullable: true })
  @JoinColumn({ name: 'favorite_designer_id' })
  favoriteDesigner?: DesignerProfile | null;

  @Column({ type: 'jsonb', default: {} })
  preferences!: Record<string, unknown>;

  /** When the client last asked "what's new" (answers list what came after). */
  @Column({ type: 'timestamptz', nullable: true })
  lastWhatsNewAt!: Date | null;
}
