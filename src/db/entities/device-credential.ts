import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { User } from './user.js';

/**
 * A long-lived credential of a speaker or headset, good only for sending commands (see
 * src/auth/device-credentials.ts). Only the SHA-256 of the token is stored; revoking keeps the row
 * (with `revoked_at`) so the list can say when. A name is unique per account among live
 * credentials (the service also refuses names that differ only in case).
 */
@Entity('device_credentials')
@Index('device_credentials_live_name_key', ['userId', 'name'], { unique: true, where: '"revoked_at" IS NULL' })
@Index('device_credentials_user_idx', ['userId'])
export class DeviceCredential {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'PK_device_credentials' })
  id!: string;

  @Column({ type: 'uuid' })
  userId!: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'FK_device_credentials_user' })
  user?: User;

  @Column({ type: 'varchar', length: 64 })
  name!: string;

  /** Hex SHA-256 of the token handed out once. */
  @Index('device_credentials_token_hash_key', { unique: true })
  @Column({ type: 'char', length: 64 })
  tokenHash!: string;

  /** Updated at most once a minute, so a chatty speaker does not write on every request. */
  @Column({ type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
