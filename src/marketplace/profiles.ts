import type { EntityManager } from 'typeorm';

/** A designer's share of a chip's royalties (only designers who accepted, as they are paid). */
export interface ShareView {
  readonly designerId: string;
  readonly name: string;
  readonly shareBps: number;
}

export interface ChipProfile {
  readonly id: string;
  readonly name: string;
  readonly tokenId: string;
  readonly metadataHash: string;
  readonly designer: { readonly id: string; readonly name: string };
  readonly priceCredits: number;
  /** null = open edition. */
  readonly editionSize: number | null;
  readonly editionsSold: number;
  /** null = open edition (never runs out). */
  readonly editionsLeft: number | null;
  readonly isSoldOut: boolean;
  readonly tags: readonly string[];
  readonly mediaUrl: string | null;
  readonly publishedAt: string;
  /** Publisher first, then by share. */
  readonly shares: readonly ShareView[];
}

export interface DesignerChip {
  readonly id: string;
  readonly name: string;
  readonly priceCredits: number;
  readonly editionsLeft: number | null;
  readonly isSoldOut: boolean;
  /** False for a collaboration on another designer's chip. */
  readonly isOwn: boolean;
}

export interface DesignerProfileView {
  readonly id: string;
  readonly name: string;
  readonly bio: string;
  readonly portfolioUrls: readonly string[];
  /** Average of the ratings to one decimal; null when nobody rated yet. */
  readonly rating: { readonly average: number | null; readonly count: number };
  readonly subscribers: number;
  /** Own chips and accepted collaborations, newest first. */
  readonly chips: readonly DesignerChip[];
}

/** One decimal, from the stored integer aggregate (never a stored float). */
export function ratingAverage(total: number, count: number): number | null {
  return count === 0 ? null : Math.round((total * 10) / count) / 10;
}

/** A chip's public profile by id, or null. */
export async function chipProfile(manager: EntityManager, chipId: string): Promise<ChipProfile | null> {
  const [row] = await manager.query(
    `SELECT c.id, c.name, c.token_id, c.metadata_hash, c.designer_id, d.display_name, c.price_credits, c.edition_size,
            c.editions_sold, c.tags, c.media_url, c.published_at
       FROM chips c JOIN designer_profiles d ON d.user_id = c.designer_id WHERE c.id = $1`, [chipId]) as {
    id: string; name: string; token_id: string; metadata_hash: string; designer_id: string; display_name: string; price_credits: number;
    edition_size: number | null; editions_sold: number; tags: string[]; media_url: string | null; published_at: Date;
  }[];
  if (!row) return null;
  // An invited collaborator who has not accepted is not shown; their share is the publisher's (as paid).
  const shares = await manager.query(
    `SELECT cc.designer_id, d.display_name, cc.share_bps, (cc.accepted_at IS NOT NULL OR cc.designer_id = $2) AS payable
       FROM chip_collaborators cc JOIN designer_profiles d ON d.user_id = cc.designer_id WHERE cc.chip_id = $1`,
    [chipId, row.designer_id]) as { designer_id: string; display_name: string; share_bps: number; payable: boolean }[];
  const pending = shares.filter((s) => !s.payable).reduce((sum, s) => sum + s.share_bps, 0);
  const shown = shares.filter((s) => s.payable)
    .map((s) => ({ designerId: s.designer_id, name: s.display_name, shareBps: s.share_bps + (s.designer_id === row.designer_id ? pending : 0) }))
    .sort((a, b) => Number(b.designerId === row.designer_id) - Number(a.designerId === row.designer_id) || b.shareBps - a.shareBps || a.name.localeCompare(b.name));
  const editionsLeft = row.edition_size === null ? null : row.edition_size - row.editions_sold;
  return {
    id: row.id, name: row.name, tokenId: row.token_id, metadataHash: row.metadata_hash,
    designer: { id: row.designer_id, name: row.display_name },
    priceCredits: row.price_credits, editionSize: row.edition_size, editionsSold: row.editions_sold, editionsLeft,
    isSoldOut: editionsLeft === 0, tags: row.tags, mediaUrl: row.media_url, publishedAt: new Date(row.published_at).toISOString(), shares: shown,
  };
}

/** A designer's public profile by display name (case-insensitively), or null. */
export async function designerProfile(manager: EntityManager, name: string): Promise<DesignerProfileView | null> {
  const [row] = await manager.query(
    `SELECT d.user_id, d.display_name, d.bio, d.portfolio_urls, d.rating_total, d.rating_count,
            (SELECT COUNT(*)::int FROM subscriptions s WHERE s.designer_id = d.user_id) AS subscribers
       FROM designer_profiles d WHERE lower(d.display_name) = lower($1)`, [name.trim()]) as {
    user_id: string; display_name: string; bio: string; portfolio_urls: string[]; rating_total: number; rating_count: number; subscribers: number;
  }[];
  if (!row) return null;
  const chips = await manager.query(
    `SELECT c.id, c.name, c.price_credits, c.edition_size, c.editions_sold, (c.designer_id = $1) AS is_own
       FROM chips c JOIN chip_collaborators cc ON cc.chip_id = c.id AND cc.designer_id = $1
      WHERE cc.accepted_at IS NOT NULL OR c.designer_id = $1
      ORDER BY c.published_at DESC, c.id`, [row.user_id]) as {
    id: string; name: string; price_credits: number; edition_size: number | null; editions_sold: number; is_own: boolean;
  }[];
  return {
    id: row.user_id, name: row.display_name, bio: row.bio, portfolioUrls: row.portfolio_urls,
    rating: { average: ratingAverage(row.rating_total, row.rating_count), count: row.rating_count },
    subscribers: Number(row.subscribers),
    chips: chips.map((c) => {
      const editionsLeft = c.edition_size === null ? null : c.edition_size - c.editions_sold;
      return { id: c.id, name: c.name, priceCredits: c.price_credits, editionsLeft, isSoldOut: editionsLeft === 0, isOwn: c.is_own };
    }),
  };
}
