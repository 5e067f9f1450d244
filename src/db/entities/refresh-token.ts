import { Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { User } from './user.js';

/**
 * One refresh token of a login "family". Only the SHA-256 of the token is stored. Using a token
 * rotates it (`replaced_by` points at its successor); presenting a rotated or revoked token again
 * revokes the whole family.
 */
@Entity('refresh_tokens')
@Index('refresh_tokens_family_idx', ['familyId'])
@Index('refresh_tokens_user_idx', ['userId'])
export class RefreshToken {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  /** Hex SHA-256 of the opaque token handed to the client. */
  @Index('refresh_tokens_token_hash_key', { unique: true })
  @Column({ type: 'char', length: 64 })
  tokenHash!: string;

  /** Every token rotated from the same login shares it. */
  @Column({ type: 'uuid' })
  familyId!: string;

  @Column({ type: 'uuid' })
  userId!: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: User;

  @Column({ type: 'timestamptz' })
  expiresAt!: Date;

  /** Set by logout, by reuse detection, or never. */
  @Column({ type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  /** The token this one was rotated into (it may not be used again). */
  @Column({ type: 'uuid', nullable: true })
  replacedBy!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
