/** Marketplace use-cases. Each takes the caller's EntityManager: the caller owns the transaction. */
export { postTransfer, balanceOf, topUp, type Posting } from './ledger.js';
export { splitRoyalties, type RoyaltyShare, type RoyaltySplit } from './royalties.js';
export {
  findDesigner, findDesignerById, findChip, findChipById, getFavoriteDesigner, setFavoriteDesigner, type ChipRef, type DesignerRef,
} from './directory.js';
export { subscribe, unsubscribe, listSubscriptions, listSubscribers, enableAutoBuy, disableAutoBuy, type SubscriptionView } from './subscriptions.js';
export { searchChips, whatsNew, SPOKEN_RESULTS, type ChipSummary, type SearchCriteria } from './catalog.js';
export {
  buyChip, buyEditions, MAX_ORDER_QUANTITY, type BuyRequest, type BuyResult, type Sale, type Order, type OrderRequest, type OrderResult,
} from './purchases.js';
export { purchaseOutlook, type PurchaseOutlook } from './outlook.js';
export {
  publishChip, publishRequestedChip, resolveShares, canonicalJson, generateTokenId, demoTokenId, demoMetadataHash,
  type NewChip, type PublishRequest, type PublishResult, type PublishedChip, type CollaboratorInput, type SharesResult,
} from './publishing.js';
export { checkNewName, nameProblem, nameSkeleton, type NameCheck } from './names.js';
export { listInvitations, answerInvitation, type Invitation, type InvitationAnswer } from './collaborations.js';
export { rateDesigner, type RateResult } from './ratings.js';
export {
  readNotifications, writeNotifications, pushNotifications, userChannel,
  type NotificationView, type NotificationRef, type NotificationMessage, type NotificationPushDeps,
} from './notifications.js';
export { walletOf, topUpUser, type WalletEntry, type WalletView, type TopUpResult } from './wallet.js';
export {
  enqueueAutoBuys, handleAutoBuy, processNextEvent, recordFailure, autoBuyKey, OUTBOX_CHANNEL,
  type OutboxEventRow, type OutboxOutcome, type OutboxSettings, type ProcessOptions, type ProcessResult,
} from './outbox.js';
export { createOutboxWorker, type OutboxWorker, type OutboxWorkerOptions } from './outbox-worker.js';
export {
  salesSummary, bestSellers, designerDashboard, DASHBOARD_TOP_CHIPS, type SalesSummary, type SalesFigures, type Dashboard, type DashboardDay,
} from './sales.js';
export { PERIODS, isPeriod, periodRange, previousRange, type Period, type PeriodRange } from './periods.js';
export { listCommands, encodeCursor, decodeCursor, type CommandRecord, type HistoryPage, type HistoryQuery } from './history.js';
export { createCatalogLists, chipNameWords, CATALOG_CHANGED_CHANNEL, type CatalogLists, type CatalogSnapshot } from './catalog-lists.js';
export { collectionOf, type CollectionChip, type CollectionView } from './collection.js';
export {
  chipProfile, designerProfile, ratingAverage, type ChipProfile, type DesignerProfileView, type DesignerChip, type ShareView,
} from './profiles.js';
export { verifyChip, type Verification, type EditionCheck, type Provenance, type PersonView, type Viewer } from './verification.js';
export { earningsOf, type Earnings, type EarningsPart, type EarningsLine } from './earnings.js';

export { writeReview, readReviews, averageOf, REVIEW_MAX_CHARS, SPOKEN_REVIEWS, type WriteReviewRequest, type WriteReviewResult, type ReviewView, type ReviewsSummary } from './reviews.js';
export { getPreferences, setPreference, clearPreference, learnPreferences, designerTags, normaliseTag, type TagPreference } from './preferences.js';
export { recommend, type RecommendCriteria, type RecommendReason, type Recommendation } from './recommendations.js';
export {
  findGroup, findGroupById, isGroupMember, createGroup, listGroups, joinGroup, leaveGroup, myGroups, listPosts, postToGroup, POST_MAX_CHARS, POST_RATE, SPOKEN_POSTS,
  type GroupRef, type GroupView, type PostView, type CreateGroupResult, type PostResult,
} from './groups.js';
