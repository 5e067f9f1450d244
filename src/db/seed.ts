import { createHash } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import type { Config } from '../config.js';
import { Chip, ChipCollaborator, ClientProfile, DesignerProfile, Subscription, User } from './entities/index.js';
import { DEMO_ADMIN, DEMO_CHIPS, DEMO_CLIENTS, DEMO_DESIGNERS } from './demo-catalog.js';
import { generatePassword, hashPassword } from '../auth/passwords.js';
import { topUp } from '../marketplace/ledger.js';

export interface SeedResult {
  /** Accounts created by this run with their generated passwords (empty when all existed). */
  readonly createdAccounts: readonly { readonly username: string; readonly role: string; readonly password: string }[];
  readonly createdChips: number;
}

/** Key of the transaction advisory lock that serialises concurrent seeds. */
const SEED_LOCK_KEY = 0x484d_5344; // "HMSD"

/** Token ids of demo chips are derived from their names, which keeps the seed idempotent. */
export function demoTokenId(chipName: string): string {
  return `hm-demo-${chipName.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
}

export function metadataHash(metadata: Record<string, unknown>): string {
  const canonical = JSON.stringify(metadata, Object.keys(metadata).sort());
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * Seeds the demo catalog in one transaction. Idempotent: existing accounts and chips (matched by
 * username and token id) are left as they are, so running it again changes nothing.
 */
export async function seedDemoCatalog(dataSource: DataSource): Promise<SeedResult> {
  // Hash the new accounts' passwords in parallel first (scrypt runs on the libuv pool), outside
  // the transaction: it is the slow part of a first start.
  const usernames = [...DEMO_DESIGNERS, ...DEMO_CLIENTS, DEMO_ADMIN].map((u) => u.username);
  const existing = new Set((await dataSource.getRepository(User).find({ select: { username: true } })).map((u) => u.username));
  const credentials = new Map(await Promise.all(usernames.filter((u) => !existing.has(u)).map(async (username) => {
    const password = generatePassword();
    return [username, { password, hash: await hashPassword(password) }] as const;
  })));
  return dataSource.transaction(async (manager) => {
    // Instances starting together on an empty database both seed: the second waits here for the
    // first to commit, then finds every account and chip and adds nothing.
    await manager.query('SELECT pg_advisory_xact_lock($1)', [SEED_LOCK_KEY]);
    const created: { username: string; role: string; password: string }[] = [];
    const ensureUser = (username: string, role: User['role']) => ensureDemoUser(manager, username, role, credentials, created);
    const designerIds = new Map<string, string>();

    for (const d of DEMO_DESIGNERS) {
      const user = await ensureUser(d.username, 'designer');
      const profile = await manager.findOneBy(DesignerProfile, { userId: user.id });
      if (!profile) await manager.insert(DesignerProfile, { userId: user.id, displayName: d.displayName, bio: d.bio, portfolioUrls: [] });
      designerIds.set(d.displayName, user.id);
    }

    let createdChips = 0;
    for (const c of DEMO_CHIPS) {
      const tokenId = demoTokenId(c.name);
      if (await manager.existsBy(Chip, { tokenId })) continue;
      const [lead] = Object.entries(c.shares).sort((a, b) => b[1] - a[1]);
      const chip = await manager.save(manager.create(Chip, {
        name: c.name,
        tokenId,
        designerId: designerIds.get(lead![0])!,
        priceCredits: c.priceCredits,
        editionSize: c.editionSize,
        tags: [...c.tags],
        metadataHash: metadataHash({ name: c.name, tokenId, tags: c.tags, editionSize: c.editionSize, shares: c.shares }),
      }));
      await manager.insert(ChipCollaborator, Object.entries(c.shares).map(([designer, shareBps]) => ({
        chipId: chip.id, designerId: designerIds.get(designer)!, shareBps, acceptedAt: new Date(), // the demo's collaborations are agreed
      })));
      createdChips += 1;
    }

    for (const c of DEMO_CLIENTS) {
      const isNew = !(await manager.existsBy(User, { username: c.username }));
      const user = await ensureUser(c.username, 'client');
      if (!isNew) continue;
      await manager.insert(ClientProfile, {
        userId: user.id,
        favoriteDesignerId: c.favoriteDesigner ? designerIds.get(c.favoriteDesigner)! : null,
        preferences: {},
      });
      for (const designer of c.subscribedTo) {
        await manager.insert(Subscription, { clientId: user.id, designerId: designerIds.get(designer)!, autoBuy: false, maxPrice: null });
      }
      await topUp(manager, user.id, c.credits);
    }

    await ensureUser(DEMO_ADMIN.username, 'admin');
    return { createdAccounts: created, createdChips };
  });
}

async function ensureDemoUser(
  manager: EntityManager,
  username: string,
  role: User['role'],
  credentials: ReadonlyMap<string, { password: string; hash: string }>,
  created: { username: string; role: string; password: string }[],
): Promise<User> {
  const existing = await manager.findOneBy(User, { username });
  if (existing) return existing;
  const fresh = credentials.get(username);
  const password = fresh?.password ?? generatePassword();
  const user = await manager.save(manager.create(User, {
    username,
    email: `${username}@demo.holomesh.invalid`,
    passwordHash: fresh?.hash ?? await hashPassword(password),
    role,
    totpSecret: null,
  }));
  created.push({ username, role, password });
  return user;
}

/** True when the schema holds no users yet (first start). */
export async function isEmpty(dataSource: DataSource): Promise<boolean> {
  return (await dataSource.getRepository(User).count()) === 0;
}

/**
 * Applies the SEED_DEMO policy: never in production; `auto` seeds an empty database only.
 * Returns the accounts it created (empty when it did nothing).
 */
export async function seedIfWanted(
  config: Pick<Config, 'isProduction' | 'seedDemo'>,
  dataSource: DataSource,
): Promise<SeedResult['createdAccounts']> {
  if (config.isProduction || config.seedDemo === 'never') return [];
  if (config.seedDemo === 'auto' && !(await isEmpty(dataSource))) return [];
  return (await seedDemoCatalog(dataSource)).createdAccounts;
}
