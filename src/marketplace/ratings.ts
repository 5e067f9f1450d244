import type { EntityManager } from 'typeorm';
import { DesignerProfile, Review } from '../db/entities/index.js';
import type { DesignerRef } from './directory.js';
import { designerTags, learnPreferences } from './preferences.js';

export type RateResult =
  | { readonly kind: 'rated'; readonly rating: number; readonly previous: number | null; readonly average: number; readonly count: number }
  | { readonly kind: 'own_profile' }
  | { readonly kind: 'invalid_rating' };

/**
 * Records the client's rating of a designer (one review per client and designer: a new rating
 * replaces the old one) and keeps the designer's rating_count / rating_total in step.
 */
export async function rateDesigner(manager: EntityManager, clientId: string, designer: DesignerRef, rating: number): Promise<RateResult> {
  if (!Number.isInteger(rating) || rating < 1 || rating > 5) return { kind: 'invalid_rating' };
  if (clientId === designer.id) return { kind: 'own_profile' };
  // Locking the profile serialises every rating of this designer, so the aggregate never drifts.
  const profile = await manager.createQueryBuilder(DesignerProfile, 'd').setLock('pessimistic_write')
    .where('d.user_id = :id', { id: designer.id }).getOneOrFail();
  const existing = await manager.findOneBy(Review, { clientId, designerId: designer.id });
  if (existing) await manager.update(Review, { id: existing.id }, { rating });
  else await manager.insert(Review, { clientId, designerId: designer.id, rating, text: '' });
  // A written review without stars did not count yet.
  const previous = existing?.rating ?? null;
  const count = profile.ratingCount + (previous === null ? 1 : 0);
  const total = profile.ratingTotal + rating - (previous ?? 0);
  await manager.update(DesignerProfile, { userId: designer.id }, { ratingCount: count, ratingTotal: total });
  if (rating !== previous && (rating >= 4 || rating <= 2)) {
    await learnPreferences(manager, clientId, await designerTags(manager, designer.id), rating >= 4, 'rating');
  }
  return { kind: 'rated', rating, previous, average: Math.round((total / count) * 10) / 10, count };
}
