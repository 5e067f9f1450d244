import type { EntityManager } from 'typeorm';
import type { CommandOutcome, LiveLists, Reply, SlotValue, Slots, Understanding } from '../contracts.js';
import type { Principal } from '../auth/tokens.js';
import { findChip, findDesigner, getFavoriteDesigner, setFavoriteDesigner, type ChipRef, type DesignerRef } from '../marketplace/index.js';
import { findGroup, isGroupMember } from '../marketplace/index.js';
import { runAction, type ActionResult, type ResolvedSlots } from './actions.js';
import { DEFAULT_CONFIRM_MIN_ASR_CONFIDENCE, isClearNo, isClearYes, type Heard } from './clear-answer.js';
import { CONTROL_INTENTS, FAVORITE, FREE_TEXT_SLOTS, INTENTS, isIntentName, type AskableSlot, type FreeTextSlot, type IntentName } from './intents.js';
import { Responses } from './responses.js';
import { asName, cleanAnswer, matchListValue, matchRating } from './slot-match.js';
import { join, toReply, type Spoken } from './ssml.js';
import type { Bound, DialogState, Pending } from './state.js';
import { verbatimTail } from './verbatim.js';

/** Everything one dialog turn needs; the caller owns the transaction behind `manager`. */
export interface TurnInput {
  readonly manager: EntityManager;
  readonly principal: Principal;
  /** This command's id: the idempotency key of a purchase it starts. */
  readonly commandId: string;
  /** ms since the epoch (injected so tests can move time). */
  readonly now: number;
  readonly lists: LiveLists;
  readonly confirmTimeoutS: number;
  readonly platformFeeBps: number;
  readonly understanding: Understanding;
  /** How the understood words were heard (typed, or spoken with the recogniser's confidences). */
  readonly heard: Heard;
  /** Word confidence a spoken yes needs to spend credits. Default DEFAULT_CONFIRM_MIN_ASR_CONFIDENCE. */
  readonly confirmMinAsrConfidence?: number;
  readonly state: DialogState;
}

export interface TurnResult {
  readonly reply: Reply;
  readonly outcome: CommandOutcome;
  readonly state: DialogState;
  /** The intent and slots acted on (after filling from earlier turns), for the log. */
  readonly intent: string | null;
  readonly slots: Slots;
  readonly notifications: readonly { readonly id: string; readonly userId: string; readonly text: string }[];
}

interface Step {
  readonly spoken: Spoken;
  readonly outcome: CommandOutcome;
  readonly pending: Pending | null;
  readonly intent: string | null;
  readonly slots: Slots;
  readonly data?: unknown;
  readonly notifications?: ActionResult['notifications'];
}

/** Below this, an understood command is a guess: a pending question's answer wins over it. */
const WEAK_CONFIDENCE = 0.75;

const LIST_OF: Record<Exclude<AskableSlot, 'rating' | FreeTextSlot>, string> = { designer: 'designer', chip: 'chip', group: 'group', tag: 'tag' };

/**
 * One turn of the dialog: continues what is pending (a missing slot, a confirmation, an offer to
 * remember the favorite designer) or starts the understood command.
 */
export async function runTurn(input: TurnInput): Promise<TurnResult> {
  const step = await decide(input);
  return {
    reply: toReply(step.spoken, { data: step.data, expectsReply: step.pending !== null }),
    outcome: step.outcome,
    state: { pending: step.pending },
    intent: step.intent,
    slots: step.slots,
    notifications: step.notifications ?? [],
  };
}

async function decide(input: TurnInput): Promise<Step> {
  const u = input.understanding;
  const intent = isIntentName(u.intent) ? u.intent : null;
  let pending = input.state.pending;
  const isAction = intent !== null && !CONTROL_INTENTS.has(intent);

  if (pending?.kind === 'confirm') {
    const answered = await answerConfirm(input, pending, isAction);
    if (answered) return answered;
    pending = null;
  }
  if (pending) {
    if (intent === 'Cancel' || intent === 'Deny') {
      const spoken = pending.kind === 'remember_favorite' ? Responses.favoriteNotSet() : Responses.cancelled(pending.intent);
      return { spoken, outcome: 'ok', pending: null, intent, slots: {} };
    }
    switch (pending.kind) {
      case 'remember_favorite':
        if (intent === 'Confirm') {
          await setFavoriteDesigner(input.manager, input.principal.userId, pending.designerId);
          return { spoken: Responses.favoriteSet(pending.designer), outcome: 'ok', pending: null, intent: 'SetFavoriteDesigner', slots: { designer: pending.designer } };
        }
        if (!isAction) return { spoken: Responses.confirmReprompt(Responses.offerRememberFavorite(pending.designer)), outcome: 'not_understood', pending, intent: null, slots: {} };
        break;
      case 'slot': {
        const answered = answerFor(pending, u, input.lists, intent);
        if (answered !== null) {
          const slots = { ...pending.slots, [pending.missing]: answered };
          const offerFavorite = pending.favorite ? String(answered) : pending.offerFavorite;
          return perform(input, pending.intent, slots, { offerFavorite, reask: pending });
        }
        if (intent === pending.intent) return perform(input, intent, { ...pending.slots, ...u.slots }, { offerFavorite: pending.offerFavorite });
        if (isAction) break;
        const name = pending.missing === 'rating' ? null : asName(u.text);
        if (name !== null && intent === null) {
          const unknown = pending.missing === 'designer' ? Responses.unknownDesigner(name)
            : pending.missing === 'group' ? Responses.unknownGroup(name) : Responses.unknownChip(name);
          return { spoken: join([unknown, pending.question]), outcome: 'rejected', pending, intent: pending.intent, slots: { ...pending.slots, [pending.missing]: name } };
        }
        return { spoken: Responses.askAgain(pending.question), outcome: 'not_understood', pending, intent: null, slots: {} };
      }
    }
  }

  if (intent === null && u.intent !== null) return { spoken: Responses.cannotDoThat(), outcome: 'rejected', pending: null, intent: u.intent, slots: u.slots };
  if (intent === null || isAmbiguous(u)) return { spoken: Responses.notUnderstood(), outcome: 'not_understood', pending: null, intent: null, slots: {} };
  return perform(input, intent, u.slots, {});
}

/**
 * The answer to a read-back that spends credits, or null when this turn is something else (a new
 * command, or anything once the question expired). Only a clear yes acts, and on exactly what was
 * read back; an unclear answer gets one re-ask, then the question stays open until it expires.
 */
async function answerConfirm(input: TurnInput, pending: Extract<Pending, { kind: 'confirm' }>, isAction: boolean): Promise<Step | null> {
  const u = input.understanding;
  const expired = input.now > pending.expiresAt;
  if (isClearYes(u, input.heard, input.confirmMinAsrConfidence ?? DEFAULT_CONFIRM_MIN_ASR_CONFIDENCE)) {
    // State saved before confirmations were bound has nothing safe to act on: ask again.
    if (expired || (pending as { bound?: Bound }).bound === undefined) {
      return { spoken: Responses.expired(), outcome: 'rejected', pending: null, intent: pending.intent, slots: pending.slots };
    }
    return performConfirmed(input, pending);
  }
  if (expired) return null;
  if (isClearNo(u)) return { spoken: Responses.cancelled(pending.intent), outcome: 'ok', pending: null, intent: u.intent, slots: {} };
  // A clear other command replaces the question (its own purchase would be read back again).
  if (isAction && u.confidence >= WEAK_CONFIDENCE && !isAmbiguous(u)) return null;
  if (pending.reasked === true) return { spoken: Responses.stillWaiting(), outcome: 'not_understood', pending, intent: null, slots: {} };
  const bound = (pending as { bound?: Bound }).bound;
  if (bound === undefined) return { spoken: Responses.expired(), outcome: 'rejected', pending: null, intent: pending.intent, slots: pending.slots };
  const reask = bound.kind === 'buy' ? Responses.sayYesToBuy(bound.chipName, bound.priceCredits)
    : bound.kind === 'post' ? Responses.sayYesToPost(bound.groupName) : Responses.sayYesToAutoBuy(bound.designerName, bound.maxPrice);
  return { spoken: reask, outcome: 'not_understood', pending: { ...pending, reasked: true }, intent: null, slots: {} };
}

/** A confirmed read-back, acted on with the ids, price and quantity it bound (no lookup by name). */
async function performConfirmed(input: TurnInput, pending: Extract<Pending, { kind: 'confirm' }>): Promise<Step> {
  const { bound } = pending;
  const resolved: ResolvedSlots = bound.kind === 'buy'
    ? { chip: { id: bound.chipId, name: bound.chipName, priceCredits: bound.priceCredits }, ...(pending.designer ? { designer: pending.designer } : {}) }
    : bound.kind === 'post' ? { group: { id: bound.groupId, name: bound.groupName }, message: bound.message }
    : { designer: { id: bound.designerId, name: bound.designerName }, enabled: true, ...(bound.maxPrice === null ? {} : { maxPrice: bound.maxPrice }) };
  return act(input, pending.intent, pending.slots, resolved, pending.key, pending.offerFavorite);
}

/** Two different commands fit equally well ("Nova" alone): better to ask again than to guess. */
function isAmbiguous(u: Understanding): boolean {
  const second = u.alternatives?.[0];
  return u.intent !== null && second !== undefined && second.intent !== u.intent && second.confidence >= u.confidence - 0.01
    && isIntentName(u.intent) && !CONTROL_INTENTS.has(u.intent);
}

/** The value a bare (or repeated) answer gives the missing slot, or null. */
function answerFor(pending: Extract<Pending, { kind: 'slot' }>, u: Understanding, lists: LiveLists, intent: IntentName | null): SlotValue | null {
  if (pending.missing === 'rating') {
    const spoken = u.slots.rating;
    return typeof spoken === 'number' ? spoken : matchRating(u.text);
  }
  if (FREE_TEXT_SLOTS.has(pending.missing)) {
    // Whatever was said is the review or the message, unless it is clearly another command.
    if (intent === pending.intent) return u.slots[pending.missing] ?? null;
    if (intent !== null && !CONTROL_INTENTS.has(intent) && u.confidence >= WEAK_CONFIDENCE) return null;
    return u.text.trim() === '' ? null : u.text.trim();
  }
  const values = lists[LIST_OF[pending.missing as keyof typeof LIST_OF]] ?? [];
  // A tag need not be in the catalog yet: a liked tag waits for the chips that carry it.
  const bare = matchListValue(u.text, values) ?? (pending.missing === 'tag' && intent === null ? asName(u.text)?.toLowerCase() ?? null : null);
  // A whole other command ("unsubscribe from Nova") is not an answer, even when it names a value;
  // a bare name is (the engine may take "Nova" for a weak guess at some command).
  if (intent !== null && !CONTROL_INTENTS.has(intent) && intent !== pending.intent) {
    const isBareName = bare !== null && cleanAnswer(u.text).join(' ') === bare.toLowerCase();
    return bare !== null && (isBareName || u.confidence < WEAK_CONFIDENCE) ? bare : null;
  }
  if (bare !== null) return bare;
  const slot = u.slots[pending.missing];
  return slot !== undefined && !(pending.favorite && slot === FAVORITE) ? slot : null;
}

interface PerformOptions {
  /** The designer named as the favorite: offer to remember it once the action is done. */
  readonly offerFavorite?: string;
  /** The question this answer replied to: asked again when the answer names nothing known. */
  readonly reask?: Pending;
}

async function perform(input: TurnInput, intent: IntentName, raw: Slots, options: PerformOptions): Promise<Step> {
  const spec = INTENTS[intent];
  const { manager, principal } = input;
  const slots: Record<string, SlotValue> = { ...raw };
  const refuse = (spoken: Spoken): Step => options.reask
    ? { spoken: join([spoken, options.reask.kind === 'slot' ? options.reask.question : Responses.askDesigner()]), outcome: 'rejected', pending: options.reask, intent, slots }
    : { spoken, outcome: 'rejected', pending: null, intent, slots };
  const ask = (missing: AskableSlot, question: Spoken, favorite = false): Step => {
    const { [missing]: _dropped, ...known } = slots;
    return {
      spoken: question, outcome: 'ok', intent, slots: known,
      pending: { kind: 'slot', intent, slots: known, missing, question, ...(favorite ? { favorite } : {}), ...(options.offerFavorite ? { offerFavorite: options.offerFavorite } : {}) },
    };
  };

  if (spec.roles && !spec.roles.includes(principal.role)) return { spoken: Responses.designersOnly(), outcome: 'rejected', pending: null, intent, slots };

  const resolved: { -readonly [K in keyof ResolvedSlots]: ResolvedSlots[K] } = {};
  if (slots.designer !== undefined) {
    let designer: DesignerRef | null;
    if (slots.designer === FAVORITE) {
      designer = await getFavoriteDesigner(manager, principal.userId);
      if (!designer) return ask('designer', Responses.askFavorite(), true);
    } else {
      designer = await findDesigner(manager, String(slots.designer));
      if (!designer) return refuse(Responses.unknownDesigner(String(slots.designer)));
    }
    resolved.designer = designer;
    slots.designer = designer.name;
  }
  if (slots.group !== undefined) {
    const group = await findGroup(manager, String(slots.group));
    if (!group) return refuse(Responses.unknownGroup(String(slots.group)));
    resolved.group = group;
    slots.group = group.name;
  }
  for (const missing of spec.required) {
    if (slots[missing] !== undefined) continue;
    if (missing === 'designer') return ask('designer', Responses.askDesigner());
    if (missing === 'chip') return ask('chip', Responses.askChip());
    if (missing === 'group') return ask('group', Responses.askGroup());
    if (missing === 'tag') return ask('tag', Responses.askTag());
    if (missing === 'review') return ask('review', Responses.askReview(resolved.designer?.name ?? ''));
    if (missing === 'message') return ask('message', Responses.askMessage(resolved.group?.name ?? ''));
    return ask('rating', Responses.askRating(resolved.designer?.name ?? ''));
  }
  let chip: ChipRef | undefined;
  if (slots.chip !== undefined) {
    chip = await findChip(manager, String(slots.chip), resolved.designer?.id) ?? undefined;
    if (!chip) return refuse(Responses.unknownChip(String(slots.chip)));
    resolved.chip = chip;
    slots.chip = chip.name;
  }
  if (typeof slots.tag === 'string') resolved.tag = slots.tag.toLowerCase();
  for (const key of ['maxPrice', 'rating', 'count'] as const) {
    const value = Number(slots[key]);
    if (slots[key] !== undefined && Number.isInteger(value)) resolved[key] = value;
  }
  if (typeof slots.period === 'string') resolved.period = slots.period;
  if (typeof slots.enabled === 'boolean') resolved.enabled = slots.enabled;
  if (typeof slots.liked === 'boolean') resolved.liked = slots.liked;
  for (const key of ['review', 'message'] as const) {
    if (slots[key] === undefined) continue;
    slots[key] = verbatimTail(input.understanding.text, String(slots[key]));
    resolved[key] = slots[key];
  }
  // Asking to publish makes sense only where the post is allowed.
  if (intent === 'PostToGroup' && !(await isGroupMember(manager, principal.userId, resolved.group!.id))) {
    return { spoken: Responses.notMember(resolved.group!.name), outcome: 'rejected', pending: null, intent, slots };
  }

  if (spec.confirm?.(slots)) {
    // What is read back is what a yes buys: the ids and the price, never the name looked up again.
    const bound: Bound = intent === 'BuyChip'
      ? { kind: 'buy', chipId: chip!.id, chipName: chip!.name, designerName: chip!.designerName, priceCredits: chip!.priceCredits, quantity: 1 }
      : intent === 'PostToGroup' ? { kind: 'post', groupId: resolved.group!.id, groupName: resolved.group!.name, message: resolved.message! }
      : { kind: 'auto_buy', designerId: resolved.designer!.id, designerName: resolved.designer!.name, maxPrice: resolved.maxPrice ?? null };
    const question = bound.kind === 'buy'
      ? Responses.confirmBuy(bound.chipName, bound.designerName, bound.priceCredits)
      : bound.kind === 'post' ? Responses.confirmPost(bound.groupName, bound.message)
      : Responses.confirmAutoBuy(bound.designerName, bound.maxPrice);
    return {
      spoken: question, outcome: 'ok', intent, slots,
      pending: {
        kind: 'confirm', intent, slots, key: input.commandId, expiresAt: input.now + input.confirmTimeoutS * 1000, question, bound,
        ...(resolved.designer ? { designer: resolved.designer } : {}),
        ...(options.offerFavorite ? { offerFavorite: options.offerFavorite } : {}),
      },
    };
  }
  return act(input, intent, slots, resolved, input.commandId, options.offerFavorite);
}

/** Runs a complete (and, when needed, confirmed) command; offers to remember a named favorite. */
async function act(input: TurnInput, intent: IntentName, slots: Slots, resolved: ResolvedSlots, idempotencyKey: string, offerFavorite: string | undefined): Promise<Step> {
  const result = await runAction({
    manager: input.manager, principal: input.principal, platformFeeBps: input.platformFeeBps, idempotencyKey, now: new Date(input.now),
  }, intent, resolved);
  const favorite = offerFavorite !== undefined && result.outcome === 'ok' && intent !== 'SetFavoriteDesigner' ? resolved.designer : undefined;
  if (favorite) {
    return {
      spoken: join([result.spoken, Responses.offerRememberFavorite(favorite.name)]), outcome: result.outcome, intent, slots,
      data: result.data, notifications: result.notifications,
      pending: { kind: 'remember_favorite', designerId: favorite.id, designer: favorite.name },
    };
  }
  return { spoken: result.spoken, outcome: result.outcome, pending: null, intent, slots, data: result.data, notifications: result.notifications };
}
