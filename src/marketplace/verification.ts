import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { EntityManager } from 'typeorm';
import type { Role } from '../db/entities/index.js';
import { canonicalJson, demoMetadataHash, demoTokenId } from './publishing.js';

/** Who asks: owners are named only to themselves and to admins. */
export interface Viewer {
  readonly userId: string;
  readonly role: Role;
}

/** An owner or buyer as the viewer may see them: `you`, a username (admins), or just "a collector". */
export type PersonView = { readonly kind: 'you' } | { readonly kind: 'user'; readonly username: string } | { readonly kind: 'collector' };

export interface Provenance {
  readonly purchaseId: string;
  readonly buyer: PersonView;
  readonly at: string;
  readonly priceCredits: number;
  readonly kind: 'purchase' | 'auto_buy';
  /** The ledger moved exactly the price out of the buyer's wallet for this sale. */
  readonly ledgerConfirmed: boolean;
}

/** An edition by number: a sold one has an owner and a provenance, one not sold (yet, or ever: see `editionSize`) neither. */
export type EditionCheck =
  | { readonly number: number; readonly isSold: false; readonly owner: null; readonly provenance: null }
  | { readonly number: number; readonly isSold: true; readonly owner: PersonView; readonly provenance: Provenance };

export interface Verification {
  readonly chip: { readonly id: string; readonly name: string; readonly tokenId: string; readonly metadataHash: string; readonly editionSize: number | null };
  /** The metadata hash recomputed from the stored metadata equals the chip's, and the metadata matches its columns. */
  readonly isAuthentic: boolean;
  readonly recomputedHash: string;
  readonly tokenIdMatches: boolean;
  /** Where the metadata came from: kept at publication, or rebuilt from the columns (older chips). */
  readonly metadataSource: 'stored' | 'rebuilt';
  readonly edition: EditionCheck | null;
  /** The viewer's own editions of this chip (only ever their own). */
  readonly yourEditions: readonly number[];
}

interface ChipRow {
  id: string; name: string; token_id: string; metadata_hash: string; metadata: Record<string, unknown> | null;
  designer_id: string; edition_size: number | null; tags: string[]; media_url: string | null;
}

const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * Checks a chip (and optionally one edition) against what was published: the metadata hash is
 * recomputed from the stored metadata and compared, the metadata with the chip's columns (name,
 * token id, designer, edition size, tags, media); an edition's provenance is its sale and the
 * ledger transfer that paid for it. Null when the chip does not exist.
 */
export async function verifyChip(manager: EntityManager, viewer: Viewer, chipId: string, editionNumber?: number): Promise<Verification | null> {
  const [chip] = await manager.query(
    `SELECT id, name, token_id, metadata_hash, metadata, designer_id, edition_size, tags, media_url FROM chips WHERE id = $1`, [chipId]) as ChipRow[];
  if (!chip) return null;
  const check = chip.metadata ? checkStored(chip, chip.metadata) : await rebuild(manager, chip);

  const mine = await manager.query(
    'SELECT edition_number FROM editions WHERE chip_id = $1 AND owner_id = $2 ORDER BY edition_number', [chipId, viewer.userId]) as { edition_number: number }[];
  return {
    chip: { id: chip.id, name: chip.name, tokenId: chip.token_id, metadataHash: chip.metadata_hash, editionSize: chip.edition_size },
    ...check,
    edition: editionNumber === undefined ? null : await editionCheck(manager, viewer, chipId, editionNumber),
    yourEditions: mine.map((r) => Number(r.edition_number)),
  };
}

type MetadataCheck = Pick<Verification, 'isAuthentic' | 'recomputedHash' | 'tokenIdMatches' | 'metadataSource'>;

function checkStored(chip: ChipRow, metadata: Record<string, unknown>): MetadataCheck {
  const recomputedHash = sha256(canonicalJson(metadata));
  const tokenIdMatches = metadata.tokenId === chip.token_id;
  const columnsMatch = metadata.name === chip.name && tokenIdMatches && metadata.designerId === chip.designer_id
    && metadata.editionSize === chip.edition_size && isDeepStrictEqual(metadata.tags, chip.tags) && (metadata.mediaUrl ?? null) === chip.media_url;
  return { isAuthentic: recomputedHash === chip.metadata_hash && columnsMatch, recomputedHash, tokenIdMatches, metadataSource: 'stored' };
}

/** Chips published before their metadata was kept: the metadata is rebuilt from the columns as it was hashed then. */
async function rebuild(manager: EntityManager, chip: ChipRow): Promise<MetadataCheck> {
  const shares = await manager.query(
    `SELECT cc.designer_id, d.display_name, cc.share_bps FROM chip_collaborators cc JOIN designer_profiles d ON d.user_id = cc.designer_id
      WHERE cc.chip_id = $1 ORDER BY cc.designer_id`, [chip.id]) as { designer_id: string; display_name: string; share_bps: number }[];
  const isDemo = chip.token_id === demoTokenId(chip.name);
  const recomputedHash = isDemo
    // The demo seed's own scheme (src/demo/seed.ts).
    ? demoMetadataHash({ name: chip.name, tokenId: chip.token_id, tags: chip.tags, editionSize: chip.edition_size, shares: Object.fromEntries(shares.map((s) => [s.display_name, s.share_bps])) })
    : sha256(canonicalJson({
      name: chip.name, tokenId: chip.token_id, designerId: chip.designer_id, editionSize: chip.edition_size, tags: chip.tags, mediaUrl: chip.media_url,
      shares: shares.map((s) => ({ designerId: s.designer_id, shareBps: s.share_bps })),
    }));
  const isAuthentic = recomputedHash === chip.metadata_hash;
  return { isAuthentic, recomputedHash, tokenIdMatches: isDemo || isAuthentic, metadataSource: 'rebuilt' };
}

function person(viewer: Viewer, userId: string, username: string): PersonView {
  if (userId === viewer.userId) return { kind: 'you' };
  return viewer.role === 'admin' ? { kind: 'user', username } : { kind: 'collector' };
}

async function editionCheck(manager: EntityManager, viewer: Viewer, chipId: string, editionNumber: number): Promise<EditionCheck> {
  const [row] = await manager.query(
    `SELECT e.owner_id, o.username AS owner_name, t.id AS purchase_id, t.buyer_id, b.username AS buyer_name, t.created_at, t.price_credits, t.kind,
            (SELECT COALESCE(-SUM(l.amount), 0)::int FROM ledger_entries l WHERE l.transaction_id = t.id AND l.user_id = t.buyer_id) AS debited
       FROM editions e JOIN users o ON o.id = e.owner_id JOIN transactions t ON t.id = e.purchase_id JOIN users b ON b.id = t.buyer_id
      WHERE e.chip_id = $1 AND e.edition_number = $2`, [chipId, editionNumber]) as {
    owner_id: string; owner_name: string; purchase_id: string; buyer_id: string; buyer_name: string; created_at: Date; price_credits: number;
    kind: 'purchase' | 'auto_buy'; debited: number;
  }[];
  if (!row) return { number: editionNumber, isSold: false, owner: null, provenance: null };
  return {
    number: editionNumber,
    isSold: true,
    owner: person(viewer, row.owner_id, row.owner_name),
    provenance: {
      purchaseId: row.purchase_id, buyer: person(viewer, row.buyer_id, row.buyer_name), at: new Date(row.created_at).toISOString(),
      priceCredits: row.price_credits, kind: row.kind, ledgerConfirmed: Number(row.debited) === row.price_credits,
    },
  };
}
