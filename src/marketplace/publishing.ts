import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { Chip, ChipCollaborator, DesignerProfile, Notification, Subscription } from '../db/entities/index.js';
import { buyChip, type Sale } from './purchases.js';
import type { RoyaltyShare } from './royalties.js';

export interface NewChip {
  readonly designerId: string;
  readonly name: string;
  readonly tokenId: string;
  readonly priceCredits: number;
  /** null = open edition. */
  readonly editionSize: number | null;
  readonly tags: readonly string[];
  readonly mediaUrl?: string | null;
  /** Collaborator shares (sum 10 000); default: the designer alone. */
  readonly shares?: readonly RoyaltyShare[];
}

export interface PublishResult {
  readonly chipId: string;
  /** Auto-buys made for subscribers (their caps allowed it and their balance covered it). */
  readonly autoBuys: readonly Sale[];
  /** Every notification written (subscribers, auto-buyers, designers), to push after commit. */
  readonly notifications: readonly { readonly id: string; readonly userId: string; readonly text: string }[];
}

/**
 * Publishes a chip inside the caller's transaction: the chip and its collaborators, a `new_chip`
 * notification for each subscriber, and the auto-buys of subscribers whose cap allows the price.
 * After commit, call `CatalogLists.invalidate()` so every instance hears the new name.
 */
export async function publishChip(manager: EntityManager, chip: NewChip, options: { platformFeeBps: number }): Promise<PublishResult> {
  const designer = await manager.findOneByOrFail(DesignerProfile, { userId: chip.designerId });
  const tags = [...new Set(chip.tags.map((t) => t.toLowerCase()))];
  const metadataHash = createHash('sha256').update(JSON.stringify({ name: chip.name, tokenId: chip.tokenId, tags, editionSize: chip.editionSize })).digest('hex');
  const saved = await manager.save(manager.create(Chip, {
    name: chip.name, tokenId: chip.tokenId, metadataHash, designerId: chip.designerId, priceCredits: chip.priceCredits,
    editionSize: chip.editionSize, tags, mediaUrl: chip.mediaUrl ?? null,
  }));
  const shares = chip.shares ?? [{ designerId: chip.designerId, shareBps: 10_000 }];
  await manager.insert(ChipCollaborator, shares.map((s) => ({ chipId: saved.id, designerId: s.designerId, shareBps: s.shareBps })));

  const subscribers = await manager.find(Subscription, { where: { designerId: chip.designerId }, order: { createdAt: 'ASC' } });
  const notifications: { id: string; userId: string; text: string }[] = [];
  const notify = async (userId: string, kind: string, text: string, data: { chipId: string; purchaseId?: string }) => {
    const inserted = await manager.insert(Notification, { userId, kind, text, data });
    notifications.push({ id: String(inserted.identifiers[0]!.id), userId, text });
  };
  const autoBuys: Sale[] = [];
  for (const sub of subscribers) {
    await notify(sub.clientId, 'new_chip', `${designer.displayName} published ${chip.name} for ${chip.priceCredits} credits`, { chipId: saved.id });
    if (!sub.autoBuy) continue;
    const result = await buyChip(manager, {
      buyerId: sub.clientId, chipId: saved.id, idempotencyKey: `auto-buy:${saved.id}`, platformFeeBps: options.platformFeeBps,
      kind: 'auto_buy', maxPrice: sub.maxPrice,
    });
    if (result.kind === 'bought') {
      autoBuys.push(result.sale);
      notifications.push(...result.sale.notifications);
      await notify(sub.clientId, 'auto_buy', `Auto buy got you ${chip.name} #${result.sale.editionNumber} for ${chip.priceCredits} credits`, { chipId: saved.id, purchaseId: result.sale.purchaseId });
    } else if (result.kind === 'insufficient_credits') {
      await notify(sub.clientId, 'auto_buy', `Auto buy skipped ${chip.name}: not enough credits`, { chipId: saved.id });
    }
  }
  return { chipId: saved.id, autoBuys, notifications };
}
