/** Marketplace use-cases. Each takes the caller's EntityManager: the caller owns the transaction. */
export { postTransfer, balanceOf, topUp, type Posting } from './ledger.js';
export { splitRoyalties, type RoyaltyShare, type RoyaltySplit } from './royalties.js';
export {
  findDesigner, findDesignerById, findChip, getFavoriteDesigner, setFavoriteDesigner, type ChipRef, type DesignerRef,
} from './directory.js';
export { subscribe, unsubscribe, listSubscriptions, enableAutoBuy, disableAutoBuy, type SubscriptionView } from './subscriptions.js';
export { searchChips, whatsNew, SPOKEN_RESULTS, type ChipSummary, type SearchCriteria } from './catalog.js';
export { buyChip, type BuyRequest, type BuyResult, type Sale } from './purchases.js';
export { publishChip, type NewChip, type PublishResult } from './publishing.js';
export { rateDesigner, type RateResult } from './ratings.js';
export { readNotifications, type NotificationView } from './notifications.js';
export { salesSummary, type SalesSummary, type SalesFigures } from './sales.js';
export { PERIODS, isPeriod, periodRange, previousRange, type Period, type PeriodRange } from './periods.js';
export { listCommands, encodeCursor, decodeCursor, type CommandRecord, type HistoryPage, type HistoryQuery } from './history.js';
export { createCatalogLists, CATALOG_CHANGED_CHANNEL, type CatalogLists, type CatalogSnapshot } from './catalog-lists.js';
