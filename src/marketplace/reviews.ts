import type { EntityManager } from 'typeorm';
import { DesignerProfile, Review, User } from '../db/entities/index.js';
import type { DesignerRef } from './directory.js';
import { writeNotifications, type NotificationRef } from './notifications.js';
import { designerTags, learnPreferences } from './preferences.js';

/** Longest review text, in characters (the database checks it too). */
export const REVIEW_MAX_CHARS = 500;
/** How many reviews are read out. */
export const SPOKEN_REVIEWS = 3;

export interface WriteReviewRequest {
  readonly clientId: string;
  readonly designer: DesignerRef;
  /** The words, stored as given (trimmed only). */
  readonly text: string;
  /** 1–5 stars; absent keeps the stars of an earlier review, if any. */
  readonly rating?: number | null;
}

export type WriteReviewResult =
  | {
    readonly kind: 'written'; readonly replaced: boolean; readonly rating: number | null;
    /** The designer's rating average (one decimal) and count after this review; null average = no stars yet. */
    readonly average: number | null; readonly count: number;
    readonly notifications: readonly NotificationRef[];
  }
  | { readonly kind: 'own_profile' }
  | { readonly kind: 'invalid_rating' }
  | { readonly kind: 'empty' }
  | { readonly kind: 'too_long'; readonly max: number };

export interface ReviewView {
  readonly author: string;
  readonly rating: number | null;
  readonly text: string;
  readonly updatedAt: string;
}

export interface ReviewsSummary {
  readonly designer: DesignerRef;
  readonly average: number | null;
  readonly ratingCount: number;
  /** Written reviews (with text), newest first. */
  readonly reviews: readonly ReviewView[];
  readonly reviewCount: number;
}

/**
 * Writes the client's review of a designer: one per client and designer, a new one replaces the
 * old one. Keeps the designer's rating aggregate in step, learns the client's taste from the
 * stars, and notifies the designer (push the notifications after commit).
 */
export async function writeReview(manager: EntityManager, request: WriteReviewRequest): Promise<WriteReviewResult> {
  const text = request.text.trim();
  if (text === '') return { kind: 'empty' };
  if (text.length > REVIEW_MAX_CHARS) return { kind: 'too_long', max: REVIEW_MAX_CHARS };
  const { rating } = request;
  if (rating != null && (!Number.isInteger(rating) || rating < 1 || rating > 5)) return { kind: 'invalid_rating' };
  if (request.clientId === request.designer.id) return { kind: 'own_profile' };

  // Locking the profile serialises every review of this designer, so the aggregate never drifts.
  const profile = await manager.createQueryBuilder(DesignerProfile, 'd').setLock('pessimistic_write')
    .where('d.user_id = :id', { id: request.designer.id }).getOneOrFail();
  const existing = await manager.findOneBy(Review, { clientId: request.clientId, designerId: request.designer.id });
  const stars = rating === undefined ? existing?.rating ?? null : rating;
  if (existing) await manager.update(Review, { id: existing.id }, { rating: stars, text });
  else await manager.insert(Review, { clientId: request.clientId, designerId: request.designer.id, rating: stars, text });
  const before = existing?.rating ?? null;
  const count = profile.ratingCount + (stars !== null ? 1 : 0) - (before !== null ? 1 : 0);
  const total = profile.ratingTotal + (stars ?? 0) - (before ?? 0);
  await manager.update(DesignerProfile, { userId: request.designer.id }, { ratingCount: count, ratingTotal: total });
  if (stars !== null && stars !== before && (stars >= 4 || stars <= 2)) {
    await learnPreferences(manager, request.clientId, await designerTags(manager, request.designer.id), stars >= 4, 'rating');
  }

  const author = await manager.findOneByOrFail(User, { id: request.clientId });
  const notifications = await writeNotifications(manager, [{
    userId: request.designer.id, kind: 'review',
    text: `${author.username} ${existing ? 'updated their review' : 'reviewed you'}${stars === null ? '' : ` with ${stars} ${stars === 1 ? 'star' : 'stars'}`}`,
    data: { designerId: request.designer.id, author: author.username, rating: stars, text },
  }]);
  return { kind: 'written', replaced: existing !== null, rating: stars, average: averageOf(total, count), count, notifications };
}

/** A designer's rating average and the most recent written reviews (public). */
export async function readReviews(manager: EntityManager, designer: DesignerRef, limit = SPOKEN_REVIEWS): Promise<ReviewsSummary> {
  const profile = await manager.findOneByOrFail(DesignerProfile, { userId: designer.id });
  const rows = await manager.query(
    `SELECT u.username AS author, r.rating, r.text, r.updated_at FROM reviews r JOIN users u ON u.id = r.client_id
     WHERE r.designer_id = $1 AND r.text <> '' ORDER BY r.updated_at DESC, r.id DESC LIMIT $2`,
    [designer.id, limit],
  ) as { author: string; rating: number | null; text: string; updated_at: Date }[];
  const [{ n }] = await manager.query(`SELECT count(*)::int AS n FROM reviews WHERE designer_id = $1 AND text <> ''`, [designer.id]) as { n: number }[];
  return {
    designer,
    average: averageOf(profile.ratingTotal, profile.ratingCount),
    ratingCount: profile.ratingCount,
    reviews: rows.map((r) => ({ author: r.author, rating: r.rating === null ? null : Number(r.rating), text: r.text, updatedAt: new Date(r.updated_at).toISOString() })),
    reviewCount: n,
  };
}

/** The average to one decimal, or null without ratings (integers in the database, rounded here). */
export function averageOf(total: number, count: number): number | null {
  return count === 0 ? null : Math.round((total / count) * 10) / 10;
}
