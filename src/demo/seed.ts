import type { DataSource, EntityManager } from 'typeorm';
import type { Config } from '../config.js';
import { Chip, ChipCollaborator, ClientProfile, DesignerProfile, Group, GroupMember, Review, Subscription, User } from '../db/entities/index.js';
import { buyChip, demoMetadataHash, demoTokenId, setPreference, topUp, writeReview } from '../marketplace/index.js';
import { generatePassword, hashPassword } from '../auth/passwords.js';
import { DEMO_ADMIN, DEMO_CHIPS, DEMO_CLIENTS, DEMO_COLLECTORS, DEMO_DESIGNERS, DEMO_GROUPS, DEMO_PREFERENCES, DEMO_REVIEWS, DEMO_SALES } from './catalog.js';

export interface SeedResult {
  /** Accounts created by this run with their generated passwords (empty when all existed). */
  readonly createdAccounts: readonly { readonly username: string; readonly role: string; readonly password: string }[];
  readonly createdChips: number;
}

export interface SeedOptions {
  /**
   * Also seed the demo's activity: other collectors, 30 days of past sales, reviews and alex's
   * liked tags (default true). Tests that count sales, stock or ratings from a bare catalog turn it off.
   */
  readonly activity?: boolean;
  /** The platform fee of the past sales, in basis points (default 1 000, the configured default). */
  readonly platformFeeBps?: number;
  /** "Now" for the past sales (default: the current time). */
  readonly now?: Date;
}

/** Key of the transaction advisory lock that serialises concurrent seeds. */
const SEED_LOCK_KEY = 0x484d_5344; // "HMSD"

/**
 * Seeds the demo catalog in one transaction. Idempotent: existing accounts and chips (matched by
 * username and token id) are left as they are, so running it again changes nothing.
 */
export async function seedDemoCatalog(dataSource: DataSource, options: SeedOptions = {}): Promise<SeedResult> {
  const activity = options.activity ?? true;
  // Hash the new accounts' passwords in parallel first (scrypt runs on the libuv pool), outside
  // the transaction: it is the slow part of a first start.
  const usernames = [...DEMO_DESIGNERS, ...DEMO_CLIENTS, DEMO_ADMIN, ...(activity ? DEMO_COLLECTORS : [])].map((u) => u.username);
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
        metadataHash: demoMetadataHash({ name: c.name, tokenId, tags: c.tags, editionSize: c.editionSize, shares: c.shares }),
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
    await seedDemoGroups(manager);
    if (activity) {
      for (const c of DEMO_COLLECTORS) {
        const isNew = !(await manager.existsBy(User, { username: c.username }));
        const user = await ensureUser(c.username, 'client');
        if (!isNew) continue;
        await manager.insert(ClientProfile, { userId: user.id, favoriteDesignerId: null, preferences: {} });
        await topUp(manager, user.id, c.credits);
      }
      await seedDemoActivity(manager, designerIds, options.platformFeeBps ?? 1_000, options.now ?? new Date());
    }
    return { createdAccounts: created, createdChips };
  });
}

/** The demo groups, their members and posts; a group that exists already is left as it is. */
async function seedDemoGroups(manager: EntityManager): Promise<void> {
  const userId = async (username: string) => (await manager.findOneByOrFail(User, { username })).id;
  for (const g of DEMO_GROUPS) {
    if (await manager.existsBy(Group, { name: g.name })) continue;
    // One after another: the queries share the transaction's connection.
    const members: string[] = [];
    for (const member of g.members) members.push(await userId(member));
    const group = await manager.save(manager.create(Group, { name: g.name, description: g.description, createdById: members[0]! }));
    await manager.insert(GroupMember, members.map((id) => ({ groupId: group.id, userId: id })));
    for (const post of g.posts) {
      await manager.query(`INSERT INTO group_posts (group_id, author_id, text, created_at) VALUES ($1, $2, $3, now() - make_interval(days => $4))`,
        [group.id, await userId(post.author), post.text, post.daysAgo]);
    }
  }
}

/**
 * Past sales through the real purchase path (so payouts and the ledger sum), dated back over 30
 * days; reviews; alex's liked tags. Idempotent: a sale's key is replayed, an existing review kept.
 */
async function seedDemoActivity(manager: EntityManager, designerIds: ReadonlyMap<string, string>, platformFeeBps: number, now: Date): Promise<void> {
  const userId = async (username: string) => (await manager.findOneByOrFail(User, { username })).id;
  for (const [index, sale] of DEMO_SALES.entries()) {
    const chip = await manager.findOneByOrFail(Chip, { tokenId: demoTokenId(sale.chip) });
    const result = await buyChip(manager, { buyerId: await userId(sale.buyer), chipId: chip.id, idempotencyKey: `demo-sale-${index}`, platformFeeBps });
    if (result.kind !== 'bought' || result.sale.isReplay) continue;
    // Spread over the day too, so "today" and "yesterday" differ from hour to hour.
    const at = new Date(now.getTime() - sale.daysAgo * 86_400_000 - (index % 6) * 3_600_000);
    const id = result.sale.purchaseId;
    await manager.query('UPDATE transactions SET created_at = $2 WHERE id = $1', [id, at]);
    await manager.query('UPDATE editions SET acquired_at = $2 WHERE purchase_id = $1', [id, at]);
    await manager.query('UPDATE ledger_entries SET created_at = $2 WHERE transaction_id = $1', [id, at]);
    // Old news: the designers' sale notifications are dated and already read.
    await manager.query('UPDATE notifications SET created_at = $2, read_at = $2 WHERE id = ANY($1::uuid[])', [result.sale.notifications.map((n) => n.id), at]);
  }
  for (const r of DEMO_REVIEWS) {
    const clientId = await userId(r.client);
    const designerId = designerIds.get(r.designer)!;
    if (await manager.existsBy(Review, { clientId, designerId })) continue;
    const written = await writeReview(manager, { clientId, designer: { id: designerId, name: r.designer }, text: r.text, rating: r.rating });
    if (written.kind === 'written') await manager.query('UPDATE notifications SET read_at = now() WHERE id = ANY($1::uuid[])', [written.notifications.map((n) => n.id)]);
  }
  for (const [username, tags] of Object.entries(DEMO_PREFERENCES)) {
    const id = await userId(username);
    for (const tag of tags) await setPreference(manager, id, tag, true, now);
  }
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
  config: Pick<Config, 'isProduction' | 'seedDemo'> & Partial<Pick<Config, 'platformFeeBps'>>,
  dataSource: DataSource,
): Promise<SeedResult['createdAccounts']> {
  if (config.isProduction || config.seedDemo === 'never') return [];
  if (config.seedDemo === 'auto' && !(await isEmpty(dataSource))) return [];
  return (await seedDemoCatalog(dataSource, config.platformFeeBps === undefined ? {} : { platformFeeBps: config.platformFeeBps })).createdAccounts;
}
