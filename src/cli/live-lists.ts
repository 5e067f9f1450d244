import type { LiveLists } from '../contracts.js';
import { seedIfWanted } from '../demo/seed.js';
import type { CliContext } from './context.js';

/**
 * The live slot lists (designers, chips, tags) from the configured database — seeding the demo
 * catalog first on a fresh embedded database, exactly as the service would at its first start.
 */
export async function loadLiveLists({ config, db }: CliContext): Promise<LiveLists> {
  if (db.mode !== 'pglite-client') await seedIfWanted(config, db.dataSource);
  const [designers, chips, tags] = (await Promise.all([
    db.dataSource.query('SELECT display_name AS v FROM designer_profiles ORDER BY lower(display_name)'),
    db.dataSource.query('SELECT DISTINCT name AS v FROM chips ORDER BY name'),
    db.dataSource.query('SELECT DISTINCT unnest(tags) AS v FROM chips ORDER BY v'),
  ])) as { v: string }[][];
  return { designer: designers.map((r) => r.v), chip: chips.map((r) => r.v), tag: tags.map((r) => r.v) };
}
