import type { EntityManager, SelectQueryBuilder } from 'typeorm';
import { Chip, ClientProfile, DesignerProfile } from '../db/entities/index.js';

/** A designer as the assistant names them. */
export interface DesignerRef {
  readonly id: string;
  readonly name: string;
}

/** A chip as the assistant names it. */
export interface ChipRef {
  readonly id: string;
  readonly name: string;
  readonly designerId: string;
  readonly designerName: string;
  readonly priceCredits: number;
  readonly editionSize: number | null;
  readonly editionsSold: number;
}

/** A designer by display name, case-insensitively (display names are unique that way). */
export async function findDesigner(manager: EntityManager, name: string): Promise<DesignerRef | null> {
  const row = await manager.createQueryBuilder(DesignerProfile, 'd')
    .where('lower(d.display_name) = lower(:name)', { name: name.trim() })
    .getOne();
  return row ? { id: row.userId, name: row.displayName } : null;
}

export async function findDesignerById(manager: EntityManager, id: string): Promise<DesignerRef | null> {
  const row = await manager.findOneBy(DesignerProfile, { userId: id });
  return row ? { id: row.userId, name: row.displayName } : null;
}

/**
 * A chip by name, case-insensitively; with `designerId`, only a chip that designer made or
 * collaborated on. Chip names are not unique: the newest wins.
 */
export async function findChip(manager: EntityManager, name: string, designerId?: string): Promise<ChipRef | null> {
  const query = chipRefQuery(manager)
    .where('lower(c.name) = lower(:name)', { name: name.trim() })
    .orderBy('c.published_at', 'DESC')
    .limit(1);
  if (designerId) {
    query.andWhere('EXISTS (SELECT 1 FROM chip_collaborators cc WHERE cc.chip_id = c.id AND cc.designer_id = :designerId AND (cc.accepted_at IS NOT NULL OR cc.designer_id = c.designer_id))', { designerId });
  }
  const row = await query.getRawOne<Record<string, unknown>>();
  return row ? toChipRef(row) : null;
}

/** A chip by id (what the dialog remembers of a chip it listed or named). */
export async function findChipById(manager: EntityManager, id: string): Promise<ChipRef | null> {
  const row = await chipRefQuery(manager)
    .where('c.id = :id', { id })
    .getRawOne<Record<string, unknown>>();
  return row ? toChipRef(row) : null;
}

/** Chips with their designer, selecting the columns `toChipRef` reads (add where, order, more columns). */
export function chipRefQuery(manager: EntityManager): SelectQueryBuilder<Chip> {
  return manager.createQueryBuilder(Chip, 'c')
    .innerJoin(DesignerProfile, 'd', 'd.user_id = c.designer_id')
    .select(['c.id AS id', 'c.name AS name', 'c.designer_id AS designer_id', 'd.display_name AS designer_name',
      'c.price_credits AS price_credits', 'c.edition_size AS edition_size', 'c.editions_sold AS editions_sold']);
}

/** A raw row of `chipRefQuery` → ChipRef. */
export function toChipRef(row: Record<string, unknown>): ChipRef {
  return {
    id: String(row.id),
    name: String(row.name),
    designerId: String(row.designer_id),
    designerName: String(row.designer_name),
    priceCredits: Number(row.price_credits),
    editionSize: row.edition_size === null ? null : Number(row.edition_size),
    editionsSold: Number(row.editions_sold),
  };
}

/** The client's favorite designer, or null when none is set (or the user has no client profile). */
export async function getFavoriteDesigner(manager: EntityManager, userId: string): Promise<DesignerRef | null> {
  const profile = await manager.findOneBy(ClientProfile, { userId });
  if (!profile?.favoriteDesignerId) return null;
  return findDesignerById(manager, profile.favoriteDesignerId);
}

/** Sets the favorite designer, creating the client profile when missing. */
export async function setFavoriteDesigner(manager: EntityManager, userId: string, designerId: string): Promise<void> {
  await manager.createQueryBuilder()
    .insert()
    .into(ClientProfile)
    .values({ userId, favoriteDesignerId: designerId, preferences: {} })
    .orUpdate(['favorite_designer_id'], ['user_id'])
    .execute();
}
