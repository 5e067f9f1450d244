import { Check, Column, CreateDateColumn, Entity, Index, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { encryptedColumn } from '../encrypted-column.js';

export const ROLES = ['client', 'designer', 'admin'] as const;
export type Role = (typeof ROLES)[number];

@Entity('users')
@Check('users_role_check', `role IN ('client', 'designer', 'admin')`)
export class User {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Index('users_username_key', { unique: true })
  @Column({ type: 'varchar', length: 64 })
  username!: string;

  @Index('users_email_key', { unique: true })
  @Column({ type: 'varchar', length: 254 })
  email!: string;

  @Column({ type: 'varchar', length: 255 })
  passwordHash!: string;

  @Column({ type: 'varchar', length: 16, default: 'client' })
  role!: Role;

  /** Encrypted at rest (AES-256-GCM, key id stored with the ciphertext). */
  @Column({ type: 'text', nullable: true, transformer: encryptedColumn })
  totpSecret!: string | null;

  @Column({ type: 'boolean', default: false })
  totpEnabled!: boolean;

  /** The last TOTP time step accepted: a code of it or an earlier step is never accepted again. */
  @Column({ type: 'integer', nullable: true })
  totpLastStep!: number | null;

  /** Set by an operator (`holomesh users disable`): no sign-in, refresh or device credential works. */
  @Column({ type: 'timestamptz', nullable: true })
  disabledAt!: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
