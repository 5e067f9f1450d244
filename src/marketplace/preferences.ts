import type { EntityManager } from 'typeorm';

/**
 * A client's liked and disliked tags, kept in `client_profiles.preferences.tags`. What the client
 * said ("I like cyberpunk") is never overwritten by what was inferred from purchases and ratings.
 */
export interface TagPreference {
  readonly tag: string;
  readonly liked: boolean;
  /** `said` by the client, or inferred from a `purchase` or a `rating`. */
  readonly source: 'said' | 'purchase' | 'rating';
  readonly at: string;
}

type StoredTags = Record<string, { liked: boolean; source: TagPreference['source']; at: string }>;

/** Most tags kept per client (the oldest inferred ones give way first). */
const MAX_TAGS = 50;

/** The client's tag preferences, liked first, then by tag. Only ever read for the caller itself. */
export async function getPreferences(manager: EntityManager, userId: string): Promise<TagPreference[]> {
  const rows = await manager.query('SELECT preferences FROM client_profiles WHERE user_id = $1', [userId]) as { preferences: { tags?: StoredTags } }[];
  return toList(rows[0]?.preferences.tags ?? {});
}

/** Records what the client said about a tag. `changed` is false when it was already so. */
export async function setPreference(manager: EntityManager, userId: string, tag: string, liked: boolean, now = new Date()): Promise<{ changed: boolean }> {
  const key = normaliseTag(tag);
  let changed = false;
  await updateTags(manager, userId, (tags) => {
    const current = tags[key];
    changed = current === undefined || current.liked !== liked || current.source !== 'said';
    tags[key] = { liked, source: 'said', at: now.toISOString() };
  });
  return { changed };
}

/** Removes a tag from the client's preferences. */
export async function clearPreference(manager: EntityManager, userId: string, tag: string): Promise<{ removed: boolean }> {
  let removed = false;
  await updateTags(manager, userId, (tags) => {
    removed = Object.hasOwn(tags, normaliseTag(tag));
    delete tags[normaliseTag(tag)];
  });
  return { removed };
}

/**
 * Learns from a purchase or a rating: the tags become liked (or disliked, after a low rating)
 * unless the client said otherwise. Runs in the caller's transaction.
 */
export async function learnPreferences(
  manager: EntityManager, userId: string, tags: readonly string[], liked: boolean, source: 'purchase' | 'rating', now = new Date(),
): Promise<void> {
  if (tags.length === 0) return;
  await updateTags(manager, userId, (stored) => {
    for (const tag of tags) {
      const key = normaliseTag(tag);
      if (stored[key]?.source === 'said') continue;
      stored[key] = { liked, source, at: now.toISOString() };
    }
  });
}

/** The tags of a designer's chips, most used first (what a rating of the designer says about taste). */
export async function designerTags(manager: EntityManager, designerId: string, limit = 3): Promise<string[]> {
  const rows = await manager.query(
    `SELECT t.tag FROM chips c
     JOIN chip_collaborators cc ON cc.chip_id = c.id AND cc.designer_id = $1 AND (cc.accepted_at IS NOT NULL OR cc.designer_id = c.designer_id)
     CROSS JOIN LATERAL unnest(c.tags) AS t(tag)
     GROUP BY t.tag ORDER BY count(*) DESC, t.tag LIMIT $2`,
    [designerId, limit],
  ) as { tag: string }[];
  return rows.map((r) => r.tag);
}

async function updateTags(manager: EntityManager, userId: string, change: (tags: StoredTags) => void): Promise<void> {
  // The profile row is the lock: two updates of one client's preferences never lose each other's tags.
  await manager.query(`INSERT INTO client_profiles (user_id, preferences) VALUES ($1, '{}') ON CONFLICT (user_id) DO NOTHING`, [userId]);
  const rows = await manager.query('SELECT preferences FROM client_profiles WHERE user_id = $1 FOR NO KEY UPDATE', [userId]) as { preferences: { tags?: StoredTags } }[];
  const tags: StoredTags = { ...(rows[0]?.preferences.tags ?? {}) };
  change(tags);
  const kept = Object.entries(tags)
    .sort((a, b) => Number(b[1].source === 'said') - Number(a[1].source === 'said') || b[1].at.localeCompare(a[1].at))
    .slice(0, MAX_TAGS);
  await manager.query(`UPDATE client_profiles SET preferences = jsonb_set(preferences, '{tags}', $2::jsonb) WHERE user_id = $1`, [userId, JSON.stringify(Object.fromEntries(kept))]);
}

function toList(tags: StoredTags): TagPreference[] {
  return Object.entries(tags)
    .map(([tag, p]) => ({ tag, liked: p.liked, source: p.source, at: p.at }))
    .sort((a, b) => Number(b.liked) - Number(a.liked) || a.tag.localeCompare(b.tag));
}

export function normaliseTag(tag: string): string {
  return tag.trim().toLowerCase();
}
