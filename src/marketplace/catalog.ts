import type { EntityManager, SelectQueryBuilder } from 'typeorm';
import { ClientProfile, type Chip } from '../db/entities/index.js';
import { chipRefQuery, toChipRef, type ChipRef } from './directory.js';

/** A chip as shown in search results and "what's new". */
export interface ChipSummary extends ChipRef {
  readonly tags: readonly string[];
  readonly publishedAt: string;
  readonly isSoldOut: boolean;
}

export interface SearchCriteria {
  readonly designerId?: string;
  /** Lower-case tag. */
  readonly tag?: string;
  readonly maxPrice?: number;
  /** A word of the chip's name ("koi" finds Quantum Koi and Starlight Koi). */
  readonly nameWord?: string;
  /** Default 5 (what is read out). */
  readonly limit?: number;
}

/** How many results the assistant reads out. */
export const SPOKEN_RESULTS = 5;

function baseQuery(manager: EntityManager): SelectQueryBuilder<Chip> {
  return chipRefQuery(manager).addSelect(['c.tags AS tags', 'c.published_at AS published_at']);
}

function toSummary(r: Record<string, unknown>): ChipSummary {
  const chip = toChipRef(r);
  return {
    ...chip,
    tags: (r.tags as string[]) ?? [],
    publishedAt: new Date(r.published_at as string | Date).toISOString(),
    isSoldOut: chip.editionSize !== null && chip.editionsSold >= chip.editionSize,
  };
}

/**
 * Chips matching every given criterion, best first: chips still available, then the designer's
 * own chips before collaborations, chips whose first tag is the one asked for, newest, cheapest.
 * `total` counts every match.
 */
export async function searchChips(manager: EntityManager, criteria: SearchCriteria): Promise<{ chips: ChipSummary[]; total: number }> {
  const query = baseQuery(manager);
  if (criteria.designerId) {
    query.andWhere('EXISTS (SELECT 1 FROM chip_collaborators cc WHERE cc.chip_id = c.id AND cc.designer_id = :designerId AND (cc.accepted_at IS NOT NULL OR cc.designer_id = c.designer_id))', { designerId: criteria.designerId });
  }
  if (criteria.tag) query.andWhere(':tag = ANY(c.tags)', { tag: criteria.tag.toLowerCase() });
  if (criteria.maxPrice !== undefined) query.andWhere('c.price_credits <= :maxPrice', { maxPrice: criteria.maxPrice });
  if (criteria.nameWord) {
    query.andWhere(`:word = ANY(regexp_split_to_array(lower(c.name), '[^[:alnum:]]+'))`, { word: criteria.nameWord.toLowerCase() });
  }
  const total = await query.clone().getCount();
  const rows = await query
    .addSelect('(c.edition_size IS NOT NULL AND c.editions_sold >= c.edition_size)', 'sold_out')
    .addSelect(criteria.designerId ? '(c.designer_id = :designerId)' : 'true', 'own')
    .addSelect(criteria.tag ? '(c.tags[1] = :tag)' : 'true', 'first_tag')
    .orderBy('sold_out', 'ASC')
    .addOrderBy('own', 'DESC')
    .addOrderBy('first_tag', 'DESC')
    .addOrderBy('c.published_at', 'DESC')
    .addOrderBy('c.price_credits', 'ASC')
    .addOrderBy('c.name', 'ASC')
    .limit(criteria.limit ?? SPOKEN_RESULTS)
    .getRawMany<Record<string, unknown>>();
  return { chips: rows.map(toSummary), total };
}

/** When a client who never asked before gets "what's new": the last week. */
const FIRST_WHATS_NEW_WINDOW_MS = 7 * 24 * 3600 * 1000;

/**
 * Chips published since the client last asked (optionally by one designer), newest first, and
 * moves the client's mark to now. `since` is where the answer started.
 */
export async function whatsNew(
  manager: EntityManager, userId: string, options: { designerId?: string; limit?: number } = {},
): Promise<{ chips: ChipSummary[]; total: number; since: Date }> {
  const [{ now }] = await manager.query('SELECT now() AS now') as [{ now: Date }];
  const profile = await manager.createQueryBuilder(ClientProfile, 'p')
    .setLock('pessimistic_write')
    .where('p.user_id = :userId', { userId })
    .getOne();
  const since = profile?.lastWhatsNewAt ?? new Date(now.getTime() - FIRST_WHATS_NEW_WINDOW_MS);
  const query = baseQuery(manager).where('c.published_at > :since AND c.published_at <= :now', { since, now });
  if (options.designerId) {
    query.andWhere('EXISTS (SELECT 1 FROM chip_collaborators cc WHERE cc.chip_id = c.id AND cc.designer_id = :designerId AND (cc.accepted_at IS NOT NULL OR cc.designer_id = c.designer_id))', { designerId: options.designerId });
  }
  const total = await query.clone().getCount();
  const rows = await query.orderBy('c.published_at', 'DESC').addOrderBy('c.name', 'ASC').limit(options.limit ?? SPOKEN_RESULTS).getRawMany<Record<string, unknown>>();
  await manager.createQueryBuilder()
    .insert()
    .into(ClientProfile)
    .values({ userId, favoriteDesignerId: null, preferences: {}, lastWhatsNewAt: now })
    .orUpdate(['last_whats_new_at'], ['user_id'])
    .execute();
  return { chips: rows.map(toSummary), total, since };
}
