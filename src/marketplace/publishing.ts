import { createHash, randomBytes } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { Chip, ChipCollaborator, DesignerProfile } from '../db/entities/index.js';
import { Errors } from '../errors.js';
import { checkNewName } from './names.js';
import { writeNotifications, type NotificationRef } from './notifications.js';
import { enqueueAutoBuys } from './outbox.js';
import type { RoyaltyShare } from './royalties.js';

export interface NewChip {
  readonly designerId: string;
  readonly name: string;
  /** Default: generated (`hm-<name>-<random>`). */
  readonly tokenId?: string;
  readonly priceCredits: number;
  /** null = open edition. */
  readonly editionSize: number | null;
  readonly tags: readonly string[];
  readonly mediaUrl?: string | null;
  /** Collaborator shares (sum 10 000, publisher included); default: the designer alone. */
  readonly shares?: readonly RoyaltyShare[];
}

export interface PublishedChip {
  readonly id: string;
  readonly tokenId: string;
  readonly name: string;
  readonly designerId: string;
  readonly designerName: string;
  readonly priceCredits: number;
  readonly editionSize: number | null;
  readonly tags: readonly string[];
  readonly mediaUrl: string | null;
  readonly metadataHash: string;
  readonly publishedAt: string;
  readonly shares: readonly RoyaltyShare[];
}

export interface PublishResult {
  readonly chipId: string;
  readonly chip: PublishedChip;
  /** Auto-buys queued in the outbox (one per eligible subscriber); a worker makes them after commit. */
  readonly autoBuysQueued: number;
  /** The `new_chip` notifications for subscribers and the invitations of collaborators, to push after commit. */
  readonly notifications: readonly NotificationRef[];
}

/** JSON with object keys sorted at every depth: the same metadata always hashes the same. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A fresh token id: readable prefix from the name, 48 random bits. */
export function generateTokenId(name: string): string {
  const slug = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 48) || 'chip';
  return `hm-${slug}-${randomBytes(6).toString('hex')}`;
}

/** Token ids of demo chips are derived from their names, which keeps the demo seed idempotent. */
export function demoTokenId(chipName: string): string {
  return `hm-demo-${chipName.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
}

/** The demo seed's metadata hash (top-level keys sorted), which verification recomputes for demo chips. */
export function demoMetadataHash(metadata: Record<string, unknown>): string {
  const canonical = JSON.stringify(metadata, Object.keys(metadata).sort());
  return createHash('sha256').update(canonical).digest('hex');
}

/**
 * Publishes a chip inside the caller's transaction: the chip and its collaborators, a `new_chip`
 * notification for each subscriber of the designer, and one outbox event per subscriber whose
 * auto-buy cap allows the price (the outbox worker buys for them, exactly once, after commit).
 * After commit: `pushNotifications`, `CatalogLists.invalidate()` and an outbox nudge.
 */
export async function publishChip(manager: EntityManager, chip: NewChip): Promise<PublishResult> {
  const designer = await manager.findOneByOrFail(DesignerProfile, { userId: chip.designerId });
  const tags = [...new Set(chip.tags.map((t) => t.trim().toLowerCase()).filter((t) => t.length > 0))];
  const tokenId = chip.tokenId ?? generateTokenId(chip.name);
  const shares = [...(chip.shares ?? [{ designerId: chip.designerId, shareBps: 10_000 }])]
    .sort((a, b) => (a.designerId < b.designerId ? -1 : a.designerId > b.designerId ? 1 : 0));
  const mediaUrl = chip.mediaUrl ?? null;
  const metadata = { name: chip.name, tokenId, designerId: chip.designerId, editionSize: chip.editionSize, tags, mediaUrl, shares };
  const metadataHash = createHash('sha256').update(canonicalJson(metadata)).digest('hex');
  const saved = await manager.save(manager.create(Chip, {
    name: chip.name, tokenId, metadataHash, metadata, designerId: chip.designerId, priceCredits: chip.priceCredits,
    editionSize: chip.editionSize, tags, mediaUrl,
  }));
  // Only the publisher has agreed so far: every other designer listed is invited, and neither shows
  // the chip nor is paid for it until they accept (collaborations.ts).
  await manager.insert(ChipCollaborator, shares.map((s) => ({
    chipId: saved.id, designerId: s.designerId, shareBps: s.shareBps, acceptedAt: s.designerId === chip.designerId ? saved.publishedAt : null,
  })));
  const invited = await writeNotifications(manager, shares.filter((s) => s.designerId !== chip.designerId).map((s) => ({
    userId: s.designerId, kind: 'collaboration_invite',
    text: `${designer.displayName} listed you as a collaborator on ${chip.name} with ${s.shareBps / 100}% of its royalties: accept or decline`,
    data: { chipId: saved.id, chipName: chip.name, publisher: designer.displayName, shareBps: s.shareBps },
  })));

  // One statement per fan-out, however many subscribers there are.
  const text = `New chip ${chip.name} from ${designer.displayName}, ${chip.priceCredits} credits`;
  const notified = await manager.query(
    `INSERT INTO notifications (user_id, kind, text, data)
     SELECT s.client_id, 'new_chip', $2, jsonb_build_object('chipId', $3::text, 'chipName', $4::text, 'designer', $5::text, 'priceCredits', $6::int)
       FROM subscriptions s WHERE s.designer_id = $1 ORDER BY s.created_at
     RETURNING id, user_id`,
    [chip.designerId, text, saved.id, chip.name, designer.displayName, chip.priceCredits],
  ) as { id: string; user_id: string }[];
  const autoBuysQueued = await enqueueAutoBuys(manager, { chipId: saved.id, designerId: chip.designerId, priceCredits: chip.priceCredits });

  return {
    chipId: saved.id,
    chip: {
      id: saved.id, tokenId, name: saved.name, designerId: chip.designerId, designerName: designer.displayName,
      priceCredits: saved.priceCredits, editionSize: saved.editionSize, tags, mediaUrl, metadataHash,
      publishedAt: new Date(saved.publishedAt).toISOString(), shares,
    },
    autoBuysQueued,
    notifications: [...notified.map((n) => ({ id: n.id, userId: n.user_id, kind: 'new_chip', text })), ...invited],
  };
}

/** A collaborator as the publisher names them: display name or username, and a share in basis points. */
export interface CollaboratorInput {
  readonly designer: string;
  readonly shareBps: number;
}

export type SharesResult =
  | { readonly kind: 'ok'; readonly shares: readonly RoyaltyShare[] }
  | { readonly kind: 'invalid'; readonly reason: string };

/**
 * The royalty shares of a new chip: the named collaborators with their shares, and the publisher
 * with the rest (10 000 − the others). Invalid when a designer is unknown or named twice, the
 * publisher is named, or the others' shares leave the publisher nothing.
 */
export async function resolveShares(manager: EntityManager, publisherId: string, collaborators: readonly CollaboratorInput[]): Promise<SharesResult> {
  const shares: RoyaltyShare[] = [];
  for (const c of collaborators) {
    const rows = await manager.query(
      `SELECT d.user_id, (lower(d.display_name) = lower($1)) AS by_name
         FROM designer_profiles d JOIN users u ON u.id = d.user_id
        WHERE lower(d.display_name) = lower($1) OR lower(u.username) = lower($1)
        ORDER BY by_name DESC LIMIT 1`,
      [c.designer.trim()],
    ) as { user_id: string }[];
    const id = rows[0]?.user_id;
    if (!id) return { kind: 'invalid', reason: `no designer called ${c.designer}` };
    if (id === publisherId) return { kind: 'invalid', reason: 'list only the other designers: the publisher gets the rest' };
    if (shares.some((s) => s.designerId === id)) return { kind: 'invalid', reason: `${c.designer} is named twice` };
    shares.push({ designerId: id, shareBps: c.shareBps });
  }
  const others = shares.reduce((sum, s) => sum + s.shareBps, 0);
  if (others >= 10_000) return { kind: 'invalid', reason: `collaborator shares sum to ${others} bps: with the publisher's share they must sum to 10000` };
  return { kind: 'ok', shares: [{ designerId: publisherId, shareBps: 10_000 - others }, ...shares] };
}

/** A chip as a designer asks to publish it: the name as typed, collaborators by name. */
export interface PublishRequest {
  readonly designerId: string;
  readonly name: string;
  readonly priceCredits: number;
  readonly editionSize: number | null;
  readonly tags: readonly string[];
  readonly mediaUrl: string | null;
  readonly collaborators: readonly CollaboratorInput[];
}

/**
 * Checks a designer's request and publishes the chip inside the caller's transaction (see
 * `publishChip` for what to do after commit). Throws the catalog error when the shares, the
 * publisher or the name cannot be used.
 */
export async function publishRequestedChip(manager: EntityManager, request: PublishRequest): Promise<PublishResult> {
  const shares = await resolveShares(manager, request.designerId, request.collaborators);
  if (shares.kind === 'invalid') throw Errors.ChipInvalid(shares.reason);
  const hasProfile = await manager.query('SELECT 1 FROM designer_profiles WHERE user_id = $1', [request.designerId]) as unknown[];
  if (hasProfile.length === 0) throw Errors.ChipInvalid('the publisher has no designer profile');
  // A buyer says a name and confirms a read-back: no chip may pass for another.
  const name = await checkNewName(manager, 'chip', request.name);
  if (name.kind === 'invalid') throw Errors.NameInvalid('chip', name.reason);
  if (name.kind === 'confusable') throw Errors.NameConfusable('chip', name.existing);
  return publishChip(manager, {
    designerId: request.designerId, name: name.name, priceCredits: request.priceCredits, editionSize: request.editionSize,
    tags: request.tags, mediaUrl: request.mediaUrl, shares: shares.shares,
  });
}
