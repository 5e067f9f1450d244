import { User } from './user.js';
import { DesignerProfile } from './designer-profile.js';
import { ClientProfile } from './client-profile.js';
import { Chip } from './chip.js';
import { ChipCollaborator } from './chip-collaborator.js';
import { Edition } from './edition.js';
import { Subscription } from './subscription.js';
import { Purchase } from './purchase.js';
import { RoyaltyPayout } from './royalty-payout.js';
import { LedgerEntry } from './ledger-entry.js';
import { Review } from './review.js';
import { Notification } from './notification.js';
import { VoiceCommand } from './voice-command.js';
import { RefreshToken } from './refresh-token.js';
import { RecoveryCode } from './recovery-code.js';
import { OutboxEvent } from './outbox-event.js';
import { DeviceCredential } from './device-credential.js';
import { Group } from './group.js';
import { GroupMember } from './group-member.js';
import { GroupPost } from './group-post.js';

export {
  User, DesignerProfile, ClientProfile, Chip, ChipCollaborator, Edition, Subscription,
  Purchase, RoyaltyPayout, LedgerEntry, Review, Notification, VoiceCommand,
};
export { RefreshToken, RecoveryCode, DeviceCredential };
export { OutboxEvent };
export { Group, GroupMember, GroupPost };
export { OUTBOX_KINDS, type OutboxKind } from './outbox-event.js';
export type { Role } from './user.js';
export { ROLES } from './user.js';
export { SYSTEM_ACCOUNTS, type SystemAccount } from './ledger-entry.js';

export const ENTITIES = [
  User, DesignerProfile, ClientProfile, Chip, ChipCollaborator, Edition, Subscription,
  Purchase, RoyaltyPayout, LedgerEntry, Review, Notification, VoiceCommand,
  RefreshToken, RecoveryCode, DeviceCredential,
  OutboxEvent,
  Group, GroupMember, GroupPost,
];
