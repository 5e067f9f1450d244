import type { EntityManager } from 'typeorm';

/** One chip of a collection and the numbers of the editions owned. */
export interface CollectionChip {
  readonly chipId: string;
  readonly name: string;
  readonly designerName: string;
  readonly tokenId: string;
  readonly editionNumbers: readonly number[];
}

export interface CollectionView {
  /** Editions owned in all (of the designer's chips, when filtered). */
  readonly editions: number;
  /** Grouped by chip, alphabetically; edition numbers ascending. */
  readonly chips: readonly CollectionChip[];
}

/**
 * The editions a user owns, grouped by chip. With `designerId`, only chips that designer made or
 * collaborates on (accepted). Only ever the caller's own: routes and the dialog pass the principal.
 */
export async function collectionOf(manager: EntityManager, ownerId: string, filter: { readonly designerId?: string } = {}): Promise<CollectionView> {
  const params: unknown[] = [ownerId];
  let byDesigner = '';
  if (filter.designerId) {
    params.push(filter.designerId);
    byDesigner = `AND EXISTS (SELECT 1 FROM chip_collaborators cc WHERE cc.chip_id = c.id AND cc.designer_id = $2
                               AND (cc.accepted_at IS NOT NULL OR cc.designer_id = c.designer_id))`;
  }
  const rows = await manager.query(
    `SELECT c.id, c.name, c.token_id, d.display_name, array_agg(e.edition_number ORDER BY e.edition_number) AS numbers
       FROM editions e JOIN chips c ON c.id = e.chip_id JOIN designer_profiles d ON d.user_id = c.designer_id
      WHERE e.owner_id = $1 ${byDesigner}
      GROUP BY c.id, c.name, c.token_id, d.display_name
      ORDER BY lower(c.name), c.id`, params) as { id: string; name: string; token_id: string; display_name: string; numbers: number[] }[];
  const chips = rows.map((r) => ({
    chipId: r.id, name: r.name, designerName: r.display_name, tokenId: r.token_id, editionNumbers: r.numbers.map(Number),
  }));
  return { editions: chips.reduce((sum, c) => sum + c.editionNumbers.length, 0), chips };
}
