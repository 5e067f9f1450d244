import type { EntityManager } from 'typeorm';
import { balanceOf } from './ledger.js';
import { getPreferences } from './preferences.js';

export interface RecommendCriteria {
  readonly tag?: string;
  readonly maxPrice?: number;
  readonly designerId?: string;
  /** Default 3 (what is read out). */
  readonly limit?: number;
}

/** Why a chip is recommended, strongest reason first. */
export type RecommendReason =
  | { readonly kind: 'liked_tag'; readonly tag: string }
  | { readonly kind: 'subscribed'; readonly designer: string }
  | { readonly kind: 'co_purchase'; readonly chip: string }
  | { readonly kind: 'asked'; readonly tag: string | null; readonly designer: string | null }
  | { readonly kind: 'popular' }
  | { readonly kind: 'affordable' };

export interface Recommendation {
  readonly id: string;
  readonly name: string;
  readonly designerId: string;
  readonly designerName: string;
  readonly priceCredits: number;
  readonly tags: readonly string[];
  readonly score: number;
  readonly reason: RecommendReason;
}

// How much each signal weighs; a disliked tag rules a chip out unless it was asked for.
const WEIGHT = { likedTag: 3, subscribed: 2, favorite: 1, coPurchase: 1.5, coPurchaseCap: 3, recentSale: 0.1, recentSaleCap: 1 } as const;

interface Candidate {
  id: string; name: string; designer_id: string; designer_name: string; price_credits: number; tags: string[];
  designer_ids: string[]; subscribed_to: string[]; recent_sales: number;
}

/**
 * Chips for this client, best first: from its liked tags, its subscriptions and favorite
 * designer, what collectors who own the same chips also bought, and recent sales. Only chips
 * still available, affordable with the client's balance (and under `maxPrice`), not already
 * owned and not the client's own. Deterministic: ties go by name, then id.
 */
export async function recommend(manager: EntityManager, userId: string, criteria: RecommendCriteria = {}, now = new Date()): Promise<{ chips: Recommendation[]; balance: number }> {
  const balance = await balanceOf(manager, userId);
  const budget = Math.min(balance, criteria.maxPrice ?? Number.MAX_SAFE_INTEGER);
  const tag = criteria.tag?.toLowerCase();
  const candidates = await manager.query(
    `SELECT c.id, c.name, c.designer_id, d.display_name AS designer_name, c.price_credits, c.tags,
            array(SELECT cc.designer_id FROM chip_collaborators cc WHERE cc.chip_id = c.id AND (cc.accepted_at IS NOT NULL OR cc.designer_id = c.designer_id)) AS designer_ids,
            array(SELECT dp.display_name FROM chip_collaborators cc JOIN subscriptions s ON s.designer_id = cc.designer_id AND s.client_id = $1
                  JOIN designer_profiles dp ON dp.user_id = cc.designer_id
                  WHERE cc.chip_id = c.id AND (cc.accepted_at IS NOT NULL OR cc.designer_id = c.designer_id) ORDER BY dp.display_name) AS subscribed_to,
            (SELECT count(*)::int FROM transactions t WHERE t.chip_id = c.id AND t.created_at > $3::timestamptz - interval '30 days') AS recent_sales
     FROM chips c JOIN designer_profiles d ON d.user_id = c.designer_id
     WHERE (c.edition_size IS NULL OR c.editions_sold < c.edition_size)
       AND c.price_credits <= $2
       AND NOT EXISTS (SELECT 1 FROM editions e WHERE e.chip_id = c.id AND e.owner_id = $1)
       AND NOT EXISTS (SELECT 1 FROM chip_collaborators cc WHERE cc.chip_id = c.id AND cc.designer_id = $1)`,
    [userId, budget, now.toISOString()],
  ) as Candidate[];

  const preferences = await getPreferences(manager, userId);
  const liked = new Set(preferences.filter((p) => p.liked).map((p) => p.tag));
  const disliked = new Set(preferences.filter((p) => !p.liked).map((p) => p.tag));
  const [profile] = await manager.query('SELECT favorite_designer_id FROM client_profiles WHERE user_id = $1', [userId]) as { favorite_designer_id: string | null }[];
  const coPurchases = await coPurchasesOf(manager, userId);

  const ranked: Recommendation[] = [];
  for (const c of candidates) {
    if (tag !== undefined && !c.tags.includes(tag)) continue;
    if (criteria.designerId !== undefined && !c.designer_ids.includes(criteria.designerId)) continue;
    if (c.tags.some((t) => disliked.has(t) && t !== tag)) continue;
    const likedTags = c.tags.filter((t) => liked.has(t));
    const co = coPurchases.get(c.id);
    const reasons: { weight: number; reason: RecommendReason }[] = [];
    if (likedTags.length > 0) reasons.push({ weight: WEIGHT.likedTag * likedTags.length, reason: { kind: 'liked_tag', tag: likedTags[0] } });
    if (c.subscribed_to.length > 0) reasons.push({ weight: WEIGHT.subscribed, reason: { kind: 'subscribed', designer: c.subscribed_to[0] } });
    if (co) reasons.push({ weight: Math.min(WEIGHT.coPurchase * co.collectors, WEIGHT.coPurchaseCap), reason: { kind: 'co_purchase', chip: co.via } });
    const favorite = profile?.favorite_designer_id != null && c.designer_ids.includes(profile.favorite_designer_id) ? WEIGHT.favorite : 0;
    const popularity = Math.min(WEIGHT.recentSale * c.recent_sales, WEIGHT.recentSaleCap);
    const score = reasons.reduce((sum, r) => sum + r.weight, 0) + favorite + popularity;
    // The strongest reason is the one spoken (order above breaks ties).
    const best = reasons.reduce<(typeof reasons)[number] | undefined>((a, r) => (a === undefined || r.weight > a.weight ? r : a), undefined);
    const reason: RecommendReason = best?.reason
      ?? (tag !== undefined || criteria.designerId !== undefined
        ? { kind: 'asked', tag: tag ?? null, designer: criteria.designerId !== undefined ? c.designer_name : null }
        : c.recent_sales > 0 ? { kind: 'popular' } : { kind: 'affordable' });
    ranked.push({
      id: c.id, name: c.name, designerId: c.designer_id, designerName: c.designer_name, priceCredits: Number(c.price_credits),
      tags: c.tags, score: Math.round(score * 100) / 100, reason,
    });
  }
  ranked.sort((a, b) => b.score - a.score || a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  return { chips: ranked.slice(0, criteria.limit ?? 3), balance };
}

/**
 * For each chip the client does not own: how many other collectors own it together with one of
 * the client's chips, and the client's chip they share most (ties by name).
 */
async function coPurchasesOf(manager: EntityManager, userId: string): Promise<Map<string, { collectors: number; via: string }>> {
  const rows = await manager.query(
    `WITH mine AS (SELECT DISTINCT chip_id FROM editions WHERE owner_id = $1),
          peers AS (SELECT DISTINCT e.owner_id, e.chip_id AS shared FROM editions e JOIN mine m ON m.chip_id = e.chip_id WHERE e.owner_id <> $1)
     SELECT e.chip_id, s.name AS via, count(DISTINCT p.owner_id)::int AS collectors
     FROM peers p JOIN editions e ON e.owner_id = p.owner_id JOIN chips s ON s.id = p.shared
     WHERE e.chip_id NOT IN (SELECT chip_id FROM mine)
     GROUP BY e.chip_id, s.name
     ORDER BY e.chip_id, collectors DESC, s.name`,
    [userId],
  ) as { chip_id: string; via: string; collectors: number }[];
  const out = new Map<string, { collectors: number; via: string }>();
  for (const r of rows) if (!out.has(r.chip_id)) out.set(r.chip_id, { collectors: r.collectors, via: r.via });
  return out;
}
