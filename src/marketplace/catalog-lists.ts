import { createHash, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { LiveLists } from '../contracts.js';
import type { PubSub } from '../cache/index.js';

/** PubSub channel telling every instance that designers, chips or tags changed. */
export const CATALOG_CHANGED_CHANNEL = 'catalog-changed';

export interface CatalogSnapshot {
  /** Changes whenever the lists' content changes (a short content hash). */
  readonly version: string;
  /**
   * `designer` and `designer_name` (display names), `chip` (chip names), `chip_word` (the words of chip names, for
   * "buy the koi"), `tag` (distinct tags), `group` (group names), each sorted.
   */
  readonly lists: LiveLists;
}

export interface CatalogLists {
  /** The current lists; loaded from the database on first use and after every invalidation. */
  get(): Promise<CatalogSnapshot>;
  /** Drops the cached lists here and, through PubSub, on every other instance (call after publishing a chip). */
  invalidate(): Promise<void>;
  /** Called with each new snapshot after a reload (e.g. to rebuild recogniser grammars). */
  onChange(listener: (snapshot: CatalogSnapshot) => void): () => void;
  close(): Promise<void>;
}

// Words too common to stand for a chip on their own.
const COMMON_WORDS = new Set(['the', 'and', 'for', 'from', 'with', 'of', 'one', 'chip', 'chips']);

/** The distinct lower-case words (three letters or more) of chip names, sorted. */
export function chipNameWords(names: readonly string[]): string[] {
  const words = names.flatMap((name) => name.toLowerCase().split(/[^\p{L}\p{N}]+/u)).filter((w) => w.length >= 3 && !COMMON_WORDS.has(w));
  return [...new Set(words)].sort();
}

/** The live slot lists from the database, cached and kept in step across instances. */
export async function createCatalogLists(deps: { dataSource: DataSource; pubsub: PubSub }): Promise<CatalogLists> {
  const instanceId = randomUUID();
  const listeners = new Set<(snapshot: CatalogSnapshot) => void>();
  let generation = 0;
  let current: Promise<CatalogSnapshot> | null = null;
  let lastVersion: string | null = null;

  const load = async (): Promise<CatalogSnapshot> => {
    const [designers, chips, tags, groups] = await Promise.all([
      deps.dataSource.query('SELECT display_name AS v FROM designer_profiles ORDER BY lower(display_name)'),
      deps.dataSource.query('SELECT DISTINCT name AS v FROM chips ORDER BY name'),
      deps.dataSource.query('SELECT DISTINCT unnest(tags) AS v FROM chips ORDER BY v'),
      deps.dataSource.query('SELECT name AS v FROM groups ORDER BY lower(name)'),
    ]) as { v: string }[][];
    const lists = {
      designer: Object.freeze(designers.map((r) => r.v)),
      designer_name: Object.freeze(designers.map((r) => r.v)),
      chip: Object.freeze(chips.map((r) => r.v)),
      chip_word: Object.freeze(chipNameWords(chips.map((r) => r.v))),
      tag: Object.freeze(tags.map((r) => r.v)),
      group: Object.freeze(groups.map((r) => r.v)),
    };
    const version = createHash('sha256').update(JSON.stringify(lists)).digest('hex').slice(0, 12);
    return { version, lists: Object.freeze(lists) };
  };

  const drop = () => {
    generation += 1;
    current = null;
  };

  const unsubscribe = await deps.pubsub.subscribe(CATALOG_CHANGED_CHANNEL, (message) => {
    if ((message as { origin?: string } | null)?.origin !== instanceId) drop();
  });

  return {
    get() {
      if (current) return current;
      const mine = generation;
      const loading = load().then((snapshot) => {
        if (snapshot.version !== lastVersion) {
          lastVersion = snapshot.version;
          for (const listener of listeners) listener(snapshot);
        }
        return snapshot;
      });
      current = loading;
      // A failed load is not cached; neither is one overtaken by an invalidation.
      loading.catch(() => {
        if (current === loading) current = null;
      });
      void loading.then(() => {
        if (generation !== mine && current === loading) current = null;
      }, () => {});
      return loading;
    },
    async invalidate() {
      drop();
      await deps.pubsub.publish(CATALOG_CHANGED_CHANNEL, { origin: instanceId, at: Date.now() });
    },
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      listeners.clear();
      await unsubscribe();
    },
  };
}
