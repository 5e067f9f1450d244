import type { EntityManager } from 'typeorm';
import { Chip, ChipCollaborator } from '../db/entities/index.js';
import { writeNotifications, type NotificationRef } from './notifications.js';

/** A chip whose publisher listed this designer as a collaborator, waiting for their answer. */
export interface Invitation {
  readonly chipId: string;
  readonly chipName: string;
  readonly publisherId: string;
  readonly publisherName: string;
  readonly shareBps: number;
  readonly priceCredits: number;
  readonly publishedAt: string;
}

export type InvitationAnswer =
  | { readonly kind: 'accepted'; readonly chipName: string; readonly shareBps: number; readonly notifications: readonly NotificationRef[] }
  | { readonly kind: 'declined'; readonly chipName: string; readonly notifications: readonly NotificationRef[] }
  /** No invitation for this designer on this chip (never listed, the publisher, or declined). */
  | { readonly kind: 'not_invited' }
  /** Declining after accepting: a share that was agreed is not taken back one-sidedly. */
  | { readonly kind: 'already_accepted' };

/** The invitations a designer has not answered yet, newest first. */
export async function listInvitations(manager: EntityManager, designerId: string): Promise<Invitation[]> {
  const rows = await manager.query(
    `SELECT c.id AS chip_id, c.name AS chip_name, c.designer_id AS publisher_id, d.display_name AS publisher_name,
            cc.share_bps, c.price_credits, c.published_at
       FROM chip_collaborators cc JOIN chips c ON c.id = cc.chip_id JOIN designer_profiles d ON d.user_id = c.designer_id
      WHERE cc.designer_id = $1 AND cc.accepted_at IS NULL AND c.designer_id <> $1
      ORDER BY c.published_at DESC, c.id`, [designerId]) as Record<string, unknown>[];
  return rows.map((r) => ({
    chipId: String(r.chip_id), chipName: String(r.chip_name), publisherId: String(r.publisher_id), publisherName: String(r.publisher_name),
    shareBps: Number(r.share_bps), priceCredits: Number(r.price_credits), publishedAt: new Date(r.published_at as string | Date).toISOString(),
  }));
}

/**
 * A designer's answer to being listed on a chip, inside the caller's transaction. Accepting shows
 * the chip under their name and pays them their share from the next sale on; declining removes
 * them and gives their share back to the publisher (the shares still sum to 10 000). The
 * publisher is told either way.
 */
export async function answerInvitation(manager: EntityManager, designerId: string, chipId: string, accept: boolean): Promise<InvitationAnswer> {
  // The chip's row lock orders this against sales of the chip (buyChip locks it too).
  const chip = await manager.createQueryBuilder(Chip, 'c').setLock('for_no_key_update').where('c.id = :chipId', { chipId }).getOne();
  if (!chip || chip.designerId === designerId) return { kind: 'not_invited' };
  const row = await manager.findOneBy(ChipCollaborator, { chipId, designerId });
  if (!row) return { kind: 'not_invited' };
  const [{ name }] = await manager.query('SELECT display_name AS name FROM designer_profiles WHERE user_id = $1', [designerId]) as [{ name: string }];
  if (accept) {
    if (row.acceptedAt === null) await manager.update(ChipCollaborator, { chipId, designerId }, { acceptedAt: () => 'now()' });
    const notifications = row.acceptedAt === null ? await writeNotifications(manager, [{
      userId: chip.designerId, kind: 'collaboration', text: `${name} accepted being listed on ${chip.name}`, data: { chipId, designerId, accepted: true },
    }]) : [];
    return { kind: 'accepted', chipName: chip.name, shareBps: row.shareBps, notifications };
  }
  if (row.acceptedAt !== null) return { kind: 'already_accepted' };
  await manager.delete(ChipCollaborator, { chipId, designerId });
  await manager.increment(ChipCollaborator, { chipId, designerId: chip.designerId }, 'shareBps', row.shareBps);
  const notifications = await writeNotifications(manager, [{
    userId: chip.designerId, kind: 'collaboration', text: `${name} declined being listed on ${chip.name}; their share is yours`, data: { chipId, designerId, accepted: false },
  }]);
  return { kind: 'declined', chipName: chip.name, notifications };
}
