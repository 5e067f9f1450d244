import { CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { User } from './user.js';
import { Group } from './group.js';

/** A member of a group (designer or client): hears its new posts live. */
@Entity('group_members')
@Index('group_members_user_idx', ['userId'])
export class GroupMember {
  @PrimaryColumn('uuid')
  groupId!: string;

  @ManyToOne(() => Group, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'group_id' })
  group?: Group;

  @PrimaryColumn('uuid')
  userId!: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id' })
  user?: User;

  @CreateDateColumn({ type: 'timestamptz' })
  joinedAt!: Date;
}
