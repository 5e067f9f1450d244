import type { EntityManager } from 'typeorm';
import type { CommandOutcome, LiveLists, Reply, SlotValue, Slots, Understanding } from '../contracts.js';
import type { Principal } from '../auth/tokens.js';
import {
  findChip, findChipById, findDesigner, findGroup, getFavoriteDesigner, isGroupMember, MAX_ORDER_QUANTITY, purchaseOutlook, setFavoriteDesigner, type ChipRef, type DesignerRef,
} from '../marketplace/index.js';
import { runAction, type ActionResult, type Command, type ResolvedSlots } from './actions.js';
import { DEFAULT_CONFIRM_MIN_ASR_CONFIDENCE, isClearNo, isClearYes, type Heard } from './clear-answer.js';
import {
  CONTROL_INTENTS, FAVORITE, FREE_TEXT_SLOTS, INTENTS, INTENT_NAMES, chipReference, isIntentName,
  type AskableSlot, type ExampleNames, type FreeTextSlot, type IntentName,
} from './intents.js';
import { Responses } from './responses.js';
import { asName, candidatesFor, cleanAnswer, matchListValue, matchPosition, matchRating } from './slot-match.js';
import { join, toReply, type Spoken } from './ssml.js';
import type { Bound, ChipMention, DialogContext, DialogState, Pending } from './state.js';
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
  /** The context after this turn; undefined keeps the one before. */
  readonly context?: DialogContext;
}

type SlotPending = Extract<Pending, { kind: 'slot' }>;
type ConfirmPending = Extract<Pending, { kind: 'confirm' }>;

/** Below this, an understood command is a guess: a pending question's answer wins over it. */
const WEAK_CONFIDENCE = 0.75;
/** Near misses at least this confident are offered as "did you mean". */
const SUGGEST_CONFIDENCE = 0.35;
/** Answers naming nothing known before a slot question is dropped. */
const MAX_FAILED_ANSWERS = 2;
/** Chips remembered from a list read out ("the fifth one"). */
const REMEMBERED_CHIPS = 5;

const LIST_OF: Record<Exclude<AskableSlot, 'rating' | FreeTextSlot>, string> = { designer: 'designer', chip: 'chip', group: 'group', tag: 'tag' };

/**
 * One turn of the dialog: continues what is pending (a missing slot, a choice, a confirmation,
 * an offer to remember the favorite designer) or starts the understood command, with what was
 * just talked about (the context) for "buy it", "the second one" and "and from Aria Chen?".
 */
export async function runTurn(input: TurnInput): Promise<TurnResult> {
  const step = await decide(input);
  const context = step.context ?? input.state.context;
  return {
    reply: toReply(step.spoken, { data: step.data, expectsReply: step.pending !== null }),
    outcome: step.outcome,
    state: { pending: step.pending, ...(context && Object.keys(context).length > 0 ? { context } : {}) },
    intent: step.intent,
    slots: step.slots,
    notifications: step.notifications ?? [],
  };
}

async function decide(input: TurnInput): Promise<Step> {
  const u = followedUp(input.understanding, input.state.context);
  const intent = isIntentName(u.intent) ? u.intent : null;
  let pending = input.state.pending;
  const isAction = intent !== null && !CONTROL_INTENTS.has(intent);
  const isClearCommand = isAction && u.confidence >= WEAK_CONFIDENCE && !isAmbiguous(u);

  if (pending?.kind === 'confirm') {
    const answered = await answerConfirm(input, u, pending, intent, isClearCommand);
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
        if (intent === 'Help') {
          const spoken = FREE_TEXT_SLOTS.has(pending.missing) ? Responses.helpFreeText(pending.question) : Responses.helpSlot(pending.question);
          return { spoken, outcome: 'ok', pending, intent, slots: {} };
        }
        // A position that points at nothing ("the fifth one" of two, or with no list read out) is a failed answer.
        const position = matchPosition(u.text);
        if (position !== null && (pending.options ? !pending.options.at(position) : (pending.missing === 'chip' && !input.state.context?.chips?.at(position)))) return failedAnswer(pending, u);
        const answered = answerFor(pending, u, input.lists, intent);
        if (answered !== null) {
          const slots = { ...pending.slots, [pending.missing]: answered };
          const offerFavorite = pending.favorite ? String(answered) : pending.offerFavorite;
          return perform(input, pending.intent, slots, { offerFavorite, reask: pending });
        }
        if (intent === pending.intent) return perform(input, intent, { ...pending.slots, ...u.slots }, { offerFavorite: pending.offerFavorite });
        if (isClearCommand && INTENTS[intent].aside) return aside(input, u, intent, pending, pending.question);
        // A new command abandons the question.
        if (isAction) break;
        return failedAnswer(pending, u);
      }
    }
  }

  if (intent === null && u.intent !== null) return { spoken: Responses.cannotDoThat(), outcome: 'rejected', pending: null, intent: u.intent, slots: u.slots };
  const mentioned = await bareMention(input, u);
  if (mentioned) return mentioned;
  if (intent === 'FollowUp') return { spoken: Responses.followUpAlone(), outcome: 'not_understood', pending: null, intent, slots: u.slots };
  if (intent === null || isAmbiguous(u)) return notUnderstood(input, u);
  if (intent === 'Help') {
    const { examples, community } = helpExamples(input);
    return { spoken: Responses.help(examples, community), outcome: 'ok', pending: null, intent, slots: {} };
  }
  return perform(input, intent, u.slots, {});
}

/**
 * "and from Aria Chen?": a FollowUp names only what changes. It becomes the last command with
 * those slots changed, or the first command that takes them all (a search, a sales period).
 */
function followedUp(u: Understanding, context: DialogContext | undefined): Understanding {
  if (u.intent !== 'FollowUp') return u;
  // A name alone ("Nova") is not a follow-up: it could be several commands.
  if (u.confidence < WEAK_CONFIDENCE) return { ...u, intent: null };
  const changed = Object.keys(u.slots);
  const takes = (intent: IntentName) => changed.length > 0 && changed.every((slot) => INTENTS[intent].followUp?.includes(slot));
  const last = context?.last;
  if (last && isIntentName(last.intent) && takes(last.intent)) return { ...u, intent: last.intent, slots: { ...last.slots, ...u.slots } };
  const target = INTENT_NAMES.find(takes);
  return target ? { ...u, intent: target } : u;
}

/**
 * The answer to a read-back that spends credits, or null when this turn is something else (a new
 * command, or anything once the question expired). Only a clear yes acts, and on exactly what was
 * read back; an unclear answer gets one re-ask, then the question stays open until it expires. A
 * clear command that only reads is answered as an aside, and the question stays.
 */
async function answerConfirm(input: TurnInput, u: Understanding, pending: ConfirmPending, intent: IntentName | null, isClearCommand: boolean): Promise<Step | null> {
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
  const bound = (pending as { bound?: Bound }).bound;
  if (bound === undefined) return { spoken: Responses.expired(), outcome: 'rejected', pending: null, intent: pending.intent, slots: pending.slots };
  if (isClearCommand && intent === 'Help') return { spoken: Responses.helpConfirm(pending.question), outcome: 'ok', pending, intent, slots: {} };
  if (isClearCommand && intent !== null && INTENTS[intent].aside) {
    const reminder = bound.kind === 'buy' ? Responses.stillWantBuy(bound.chipName, bound.priceCredits, bound.quantity)
      : bound.kind === 'post' ? Responses.stillWantPost(bound.groupName) : Responses.stillWantAutoBuy(bound.designerName);
    return aside(input, u, intent, pending, reminder);
  }
  // A clear other command replaces the question (its own purchase would be read back again).
  if (isClearCommand) return null;
  if (pending.reasked === true) return { spoken: Responses.stillWaiting(), outcome: 'not_understood', pending, intent: null, slots: {} };
  const reask = bound.kind === 'buy' ? Responses.sayYesToBuy(bound.chipName, bound.priceCredits, bound.quantity)
    : bound.kind === 'post' ? Responses.sayYesToPost(bound.groupName) : Responses.sayYesToAutoBuy(bound.designerName, bound.maxPrice);
  return { spoken: reask, outcome: 'not_understood', pending: { ...pending, reasked: true }, intent: null, slots: {} };
}

/** A read-only command asked while a question is open: answered, then the question is recalled. */
async function aside(input: TurnInput, u: Understanding, intent: IntentName, pending: Pending, reminder: Spoken): Promise<Step> {
  const step = await perform(input, intent, u.slots, {});
  return { ...step, spoken: join([step.spoken, reminder]), pending };
}

/** A confirmed read-back, acted on with the ids, price and quantity it bound (no lookup by name). */
async function performConfirmed(input: TurnInput, pending: ConfirmPending): Promise<Step> {
  const { bound } = pending;
  // The kind of read-back says which command it was (BuyChip, PostToGroup or SetAutoBuy).
  const command: Command = bound.kind === 'buy'
    ? { intent: 'BuyChip', slots: { chip: { id: bound.chipId, name: bound.chipName, priceCredits: bound.priceCredits }, quantity: bound.quantity, ...(pending.designer ? { designer: pending.designer } : {}) } }
    : bound.kind === 'post' ? { intent: 'PostToGroup', slots: { group: { id: bound.groupId, name: bound.groupName }, message: bound.message } }
    : { intent: 'SetAutoBuy', slots: { designer: { id: bound.designerId, name: bound.designerName }, enabled: true, ...(bound.maxPrice === null ? {} : { maxPrice: bound.maxPrice }) } };
  return act(input, command, pending.slots, pending.key, pending.offerFavorite);
}

/** Two different commands fit equally well ("Nova" alone): better to ask again than to guess. */
function isAmbiguous(u: Understanding): boolean {
  // A follow-up ("and from Nova") runs another command anyway: it is no rival.
  const second = u.alternatives?.find((a) => a.intent !== 'FollowUp');
  return u.intent !== null && second !== undefined && second.intent !== u.intent && second.confidence >= u.confidence - 0.01
    && isIntentName(u.intent) && !CONTROL_INTENTS.has(u.intent);
}

/** The value a bare (or repeated) answer gives the missing slot, or null. */
function answerFor(pending: SlotPending, u: Understanding, lists: LiveLists, intent: IntentName | null): SlotValue | null {
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
  const position = matchPosition(u.text);
  if (pending.options) {
    // A choice: by position, or by (part of) one of the names offered.
    if (position !== null) return pending.options.at(position) ?? null;
    const named = matchListValue(u.text, pending.options) ?? onlyOne(candidatesFor(u.text, pending.options));
    if (named !== null) return named;
    const slot = u.slots[pending.missing];
    return typeof slot === 'string' && pending.options.includes(slot) ? slot : null;
  }
  // "the second one", answering "Which chip?" after a list was read out.
  if (position !== null && pending.missing === 'chip') return position === -1 ? '#last' : `#${position + 1}`;
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
  if (slot !== undefined && !(pending.favorite && slot === FAVORITE)) return slot;
  // Part of a name ("the koi"): the question that follows offers the names it could be.
  return candidatesFor(u.text, values).length > 0 ? cleanAnswer(u.text).join(' ') : null;
}

const onlyOne = (values: readonly string[]): string | null => (values.length === 1 ? values[0]! : null);

/** An answer that named nothing known: asked again once, then the question is dropped. */
function failedAnswer(pending: SlotPending, u: Understanding): Step {
  const failures = (pending.failures ?? 0) + 1;
  if (failures >= MAX_FAILED_ANSWERS) return { spoken: Responses.giveUp(), outcome: 'not_understood', pending: null, intent: null, slots: {} };
  const again = { ...pending, failures };
  if (pending.options) return { spoken: Responses.notAnOption(pending.question), outcome: 'not_understood', pending: again, intent: null, slots: {} };
  const name = pending.missing === 'rating' ? null : asName(u.text);
  if (name !== null && u.intent === null) {
    const unknown = pending.missing === 'designer' ? Responses.unknownDesigner(name)
      : pending.missing === 'group' ? Responses.unknownGroup(name) : Responses.unknownChip(name);
    return { spoken: join([unknown, pending.question]), outcome: 'rejected', pending: again, intent: pending.intent, slots: { ...pending.slots, [pending.missing]: name } };
  }
  return { spoken: Responses.askAgain(pending.question), outcome: 'not_understood', pending: again, intent: null, slots: {} };
}

/**
 * A chip's name said on its own ("crystal wave"), or a position after a list ("the second
 * one"): says what the chip is and remembers it for "buy it". Never starts a purchase.
 */
async function bareMention(input: TurnInput, u: Understanding): Promise<Step | null> {
  const said = cleanAnswer(u.text).join(' ');
  const context = input.state.context;
  let chip: ChipRef | null = null;
  const position = matchPosition(u.text);
  if (position !== null) {
    // A position with no list read out before points at nothing.
    const mention = context?.chips?.at(position);
    if (!mention) return notUnderstood(input, { ...u, intent: null, alternatives: [] });
    chip = await findChipById(input.manager, mention.id);
  } else {
    const name = (input.lists.chip ?? []).find((c) => c.toLowerCase() === said);
    chip = name ? await findChip(input.manager, name) : null;
  }
  if (!chip) return null;
  const soldOut = chip.editionSize !== null && chip.editionsSold >= chip.editionSize;
  return {
    spoken: Responses.chipMention({ ...chip, soldOut }), outcome: 'ok', pending: null, intent: null, slots: { chip: chip.name },
    data: { chip: { id: chip.id, name: chip.name, designerName: chip.designerName, priceCredits: chip.priceCredits, isSoldOut: soldOut } },
    context: { ...context, chip: { id: chip.id, name: chip.name } },
  };
}

/** Not understood: the commands the engine nearly matched, as sentences to say. */
function notUnderstood(input: TurnInput, u: Understanding): Step {
  const names = exampleNames(input.lists);
  const near = [
    ...(u.intent !== null ? [{ intent: u.intent, confidence: u.confidence, slots: u.slots }] : []),
    ...(u.alternatives ?? []),
  ].filter((a) => a.confidence >= SUGGEST_CONFIDENCE && isIntentName(a.intent) && mayUse(a.intent, input.principal));
  // Only names the catalog knows are repeated back ("buy kenji" suggests a real chip).
  const known = (slots: Slots): Slots => Object.fromEntries(Object.entries(slots)
    .filter(([slot, value]) => !['designer', 'chip', 'tag', 'group'].includes(slot) || (input.lists[slot] ?? []).includes(String(value))));
  const examples = [...new Set(near.flatMap((a) => INTENTS[a.intent as IntentName].example?.(known(a.slots), names) ?? []))].slice(0, 2);
  const spoken = examples.length > 0 ? Responses.notUnderstoodSuggest(examples) : Responses.notUnderstood();
  return { spoken, outcome: 'not_understood', pending: null, intent: null, slots: {} };
}

function mayUse(intent: IntentName, principal: Principal): boolean {
  const roles = INTENTS[intent].roles;
  return roles === undefined || roles.includes(principal.role);
}

function exampleNames(lists: LiveLists): ExampleNames {
  const pick = (list: string, preferred: string, fallback: string) => {
    const values = lists[list] ?? [];
    return values.includes(preferred) ? preferred : values[0] ?? fallback;
  };
  return {
    chip: pick('chip', 'Neon Dragon', 'a chip name'), designer: pick('designer', 'Nova', 'a designer name'), tag: pick('tag', 'neon', 'neon'),
    group: pick('group', 'Neon Nights', 'a group name'),
  };
}

/**
 * What this user can say, their own role's commands first (a designer hears the sales ones), then
 * the commands about other people (reviews, groups).
 */
function helpExamples(input: TurnInput): { examples: string[]; community: string[] } {
  const names = exampleNames(input.lists);
  const { role } = input.principal;
  const listed = INTENT_NAMES.filter((intent) => INTENTS[intent].example && (INTENTS[intent].helpFor ?? INTENTS[intent].roles ?? [role]).includes(role));
  const own = listed.filter((intent) => !INTENTS[intent].community && (INTENTS[intent].roles?.includes(role) || INTENTS[intent].helpFor?.includes(role)));
  const ordered = [...own, ...listed.filter((intent) => !own.includes(intent) && !INTENTS[intent].community)];
  const say = (intent: IntentName) => INTENTS[intent].example?.({}, names) ?? [];
  return { examples: ordered.slice(0, 8).flatMap(say), community: listed.filter((intent) => INTENTS[intent].community).slice(0, 5).flatMap(say) };
}

/** The question for a missing slot when the intent table declares none. */
function defaultQuestion(missing: AskableSlot, slots: Slots): Spoken {
  switch (missing) {
    case 'designer': return Responses.askDesigner();
    case 'chip': return Responses.askChip();
    case 'group': return Responses.askGroup();
    case 'tag': return Responses.askTag();
    case 'review': return Responses.askReview(String(slots.designer ?? 'them'));
    case 'message': return Responses.askMessage(String(slots.group ?? 'the group'));
    case 'rating': return Responses.askRating(String(slots.designer ?? ''));
  }
}

/** Slots as they are looked up: the chip whole (its editions and designer are read back before a purchase). */
type Resolving = { -readonly [K in keyof ResolvedSlots]: K extends 'chip' ? ChipRef : ResolvedSlots[K] };

interface PerformOptions {
  /** The designer named as the favorite: offer to remember it once the action is done. */
  readonly offerFavorite?: string;
  /** The question this answer replied to: asked again when the answer names nothing known. */
  readonly reask?: SlotPending;
}

async function perform(input: TurnInput, intent: IntentName, raw: Slots, options: PerformOptions): Promise<Step> {
  const spec = INTENTS[intent];
  const { manager, principal } = input;
  const context = input.state.context;
  const slots: Record<string, SlotValue> = { ...raw };
  const refuse = (spoken: Spoken): Step => {
    if (!options.reask) return { spoken, outcome: 'rejected', pending: null, intent, slots };
    const failures = (options.reask.failures ?? 0) + 1;
    if (failures >= MAX_FAILED_ANSWERS) return { spoken: join([spoken, Responses.giveUp()]), outcome: 'rejected', pending: null, intent, slots };
    return { spoken: join([spoken, options.reask.question]), outcome: 'rejected', pending: { ...options.reask, failures }, intent, slots };
  };
  const ask = (missing: AskableSlot, question: Spoken, extra: { favorite?: boolean; options?: readonly string[] } = {}): Step => {
    const { [missing]: _dropped, ...known } = slots;
    return {
      spoken: question, outcome: 'ok', intent, slots: known,
      pending: {
        kind: 'slot', intent, slots: known, missing, question, ...extra,
        ...(options.offerFavorite ? { offerFavorite: options.offerFavorite } : {}),
      },
    };
  };
  const askFor = (missing: AskableSlot): Step => {
    const question = spec.ask?.[missing]?.(slots) ?? defaultQuestion(missing, slots);
    return ask(missing, question);
  };
  const choose = (missing: AskableSlot, values: readonly string[]): Step => ask(missing, Responses.askChoice(values), { options: values });

  if (!mayUse(intent, principal)) return { spoken: (spec.refusal ?? Responses.designersOnly)(), outcome: 'rejected', pending: null, intent, slots };

  const resolved: Resolving = {};
  if (slots.designer !== undefined) {
    let designer: DesignerRef | null;
    if (slots.designer === FAVORITE) {
      designer = await getFavoriteDesigner(manager, principal.userId);
      if (!designer) return ask('designer', Responses.askFavorite(), { favorite: true });
    } else {
      designer = await findDesigner(manager, String(slots.designer));
      if (!designer) {
        // Part of a name: the one designer it can be, or a choice.
        const candidates = candidatesFor(String(slots.designer), input.lists.designer ?? []);
        if (candidates.length > 1) return choose('designer', candidates);
        const only = onlyOne(candidates);
        designer = only === null ? null : await findDesigner(manager, only);
        if (!designer) return refuse(Responses.unknownDesigner(String(slots.designer)));
      }
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
  let chip: ChipRef | undefined;
  if (slots.chip !== undefined) {
    const reference = chipReference(slots.chip);
    if (reference !== null) {
      // "it", "the second one": what was named or listed before, by id.
      const listed = context?.chips ?? [];
      const mention: ChipMention | undefined = reference === 'it' ? context?.chip ?? (listed.length === 1 ? listed[0] : undefined)
        : reference === 'last' ? listed.at(-1) : listed[reference];
      delete slots.chip;
      if (!mention) {
        if (reference === 'it' && listed.length > 1) return choose('chip', listed.map((c) => c.name));
      } else {
        chip = await findChipById(manager, mention.id) ?? undefined;
        if (!chip) return refuse(Responses.noLongerForSale(mention.name));
      }
    } else {
      chip = await findChip(manager, String(slots.chip), resolved.designer?.id) ?? undefined;
      if (!chip) {
        const candidates = candidatesFor(String(slots.chip), input.lists.chip ?? []);
        if (candidates.length > 1) return choose('chip', candidates);
        const only = onlyOne(candidates);
        chip = only === null ? undefined : await findChip(manager, only, resolved.designer?.id) ?? undefined;
        if (!chip) return refuse(Responses.unknownChip(String(slots.chip)));
      }
    }
    if (chip) {
      resolved.chip = chip;
      slots.chip = chip.name;
    }
  }
  if (typeof slots.tag === 'string') resolved.tag = slots.tag.toLowerCase();
  if (typeof slots.name === 'string') resolved.name = slots.name.toLowerCase();
  for (const key of ['maxPrice', 'rating', 'count', 'quantity', 'edition'] as const) {
    const value = Number(slots[key]);
    if (slots[key] !== undefined && Number.isInteger(value)) resolved[key] = value;
  }
  if (typeof slots.period === 'string') resolved.period = slots.period;
  if (typeof slots.enabled === 'boolean') resolved.enabled = slots.enabled;
  if (typeof slots.liked === 'boolean') resolved.liked = slots.liked;
  for (const key of ['review', 'message'] as const) {
    if (slots[key] !== undefined) resolved[key] = verbatimTail(input.understanding.text, String(slots[key]));
  }
  const command = complete(intent, resolved);
  if ('missing' in command) return askFor(command.missing);
  // A review or a post is read back and logged as written (a question asked above keeps it as heard).
  if (resolved.review !== undefined) slots.review = resolved.review;
  if (resolved.message !== undefined) slots.message = resolved.message;

  // Asking to publish makes sense only where the post is allowed.
  if (command.intent === 'PostToGroup' && !(await isGroupMember(manager, principal.userId, command.slots.group.id))) {
    return { spoken: Responses.notMember(command.slots.group.name), outcome: 'rejected', pending: null, intent, slots };
  }

  // An order is one to MAX_ORDER_QUANTITY editions: refused before anything is read back.
  if (intent === 'BuyChip' && resolved.quantity !== undefined && (resolved.quantity < 1 || resolved.quantity > MAX_ORDER_QUANTITY)) {
    return refuse(Responses.quantityOutOfRange(MAX_ORDER_QUANTITY));
  }

  if (spec.confirm?.(slots)) {
    // What is read back is what a yes buys: the ids and the price, never the name looked up again.
    let bound: Bound;
    let question: Spoken;
    switch (command.intent) {
      case 'BuyChip': {
        const { chip: buying } = command.slots;
        bound = { kind: 'buy', chipId: buying.id, chipName: buying.name, designerName: buying.designerName, priceCredits: buying.priceCredits, quantity: resolved.quantity ?? 1 };
        // Asked only when the whole order can succeed now (the purchase itself checks again).
        const chipContext = { ...context, chip: { id: buying.id, name: buying.name } };
        const left = buying.editionSize === null ? null : buying.editionSize - buying.editionsSold;
        if (left !== null && left <= 0) {
          return { spoken: Responses.soldOutTryOthers(buying.name, buying.designerName), outcome: 'rejected', pending: null, intent, slots, context: chipContext };
        }
        if (left !== null && left < bound.quantity) {
          return { spoken: Responses.notEnoughLeft(buying.name, left), outcome: 'rejected', pending: null, intent, slots, context: chipContext, data: { reason: 'not_enough_left', left } };
        }
        const total = bound.priceCredits * bound.quantity;
        const outlook = await purchaseOutlook(manager, principal.userId, buying.id);
        if (outlook.balance < total) {
          return {
            spoken: Responses.cannotAfford(buying.name, bound.priceCredits, outlook.balance, bound.quantity), outcome: 'rejected', pending: null, intent, slots, context: chipContext,
            data: { reason: 'insufficient_credits', priceCredits: bound.priceCredits, ...(bound.quantity > 1 ? { quantity: bound.quantity, totalCredits: total } : {}), balance: outlook.balance },
          };
        }
        question = outlook.ownedEditions.length > 0
          ? Responses.confirmBuyOwned(bound.chipName, bound.priceCredits, outlook.ownedEditions, bound.quantity)
          : bound.quantity > 1
            ? Responses.confirmBuyMany(bound.chipName, bound.designerName, bound.priceCredits, bound.quantity)
            : Responses.confirmBuy(bound.chipName, bound.designerName, bound.priceCredits);
        break;
      }
      case 'PostToGroup': {
        const { group, message } = command.slots;
        bound = { kind: 'post', groupId: group.id, groupName: group.name, message };
        question = Responses.confirmPost(bound.groupName, bound.message);
        break;
      }
      case 'SetAutoBuy': {
        const { designer } = command.slots;
        bound = { kind: 'auto_buy', designerId: designer.id, designerName: designer.name, maxPrice: resolved.maxPrice ?? null };
        question = Responses.confirmAutoBuy(bound.designerName, bound.maxPrice);
        break;
      }
      default:
        throw new Error(`${intent} asks for a confirmation but has nothing to read back`);
    }
    return {
      spoken: question, outcome: 'ok', intent, slots,
      pending: {
        kind: 'confirm', intent, slots, key: input.commandId, expiresAt: input.now + input.confirmTimeoutS * 1000, question, bound,
        ...(resolved.designer ? { designer: resolved.designer } : {}),
        ...(options.offerFavorite ? { offerFavorite: options.offerFavorite } : {}),
      },
      ...(chip ? { context: { ...context, chip: { id: chip.id, name: chip.name } } } : {}),
    };
  }
  return act(input, command, slots, input.commandId, options.offerFavorite);
}

/**
 * The command once every slot the intent table requires is resolved, or the first one missing:
 * the one place `required` is checked, so each action gets those slots typed as present.
 */
function complete<S extends ResolvedSlots>(intent: IntentName, slots: S): Command<S> | { readonly missing: AskableSlot } {
  const missing = INTENTS[intent].required.find((slot) => slots[slot] === undefined);
  return missing === undefined ? ({ intent, slots } as Command<S>) : { missing };
}

/** Runs a complete (and, when needed, confirmed) command; offers to remember a named favorite. */
async function act(input: TurnInput, command: Command, slots: Slots, idempotencyKey: string, offerFavorite: string | undefined): Promise<Step> {
  const { intent, slots: resolved } = command;
  const result = await runAction({
    manager: input.manager, principal: input.principal, platformFeeBps: input.platformFeeBps, idempotencyKey, now: new Date(input.now),
  }, command);
  const context = contextAfter(input.state.context, intent, slots, resolved, result);
  const favorite = offerFavorite !== undefined && result.outcome === 'ok' && intent !== 'SetFavoriteDesigner' ? resolved.designer : undefined;
  if (favorite) {
    return {
      spoken: join([result.spoken, Responses.offerRememberFavorite(favorite.name)]), outcome: result.outcome, intent, slots,
      data: result.data, notifications: result.notifications, context,
      pending: { kind: 'remember_favorite', designerId: favorite.id, designer: favorite.name },
    };
  }
  return { spoken: result.spoken, outcome: result.outcome, pending: null, intent, slots, data: result.data, notifications: result.notifications, context };
}

/**
 * What a done command leaves to refer to: the chips it read out (any action whose data lists
 * `chips` with ids), the chip it named, and itself for a follow-up.
 */
function contextAfter(before: DialogContext | undefined, intent: IntentName, slots: Slots, resolved: ResolvedSlots, result: ActionResult): DialogContext {
  let context: DialogContext = { ...before };
  const listed = (result.data as { chips?: unknown } | undefined)?.chips;
  if (Array.isArray(listed) && listed.every((c) => typeof c?.id === 'string' && typeof c?.name === 'string')) {
    const chips = (listed as ChipMention[]).slice(0, REMEMBERED_CHIPS).map((c) => ({ id: c.id, name: c.name }));
    const { chip: _forgotten, ...rest } = context;
    context = { ...rest, chips, ...(chips.length === 1 ? { chip: chips[0] } : {}) };
  }
  if (resolved.chip && 'id' in resolved.chip) context = { ...context, chip: { id: resolved.chip.id, name: resolved.chip.name } };
  if (result.outcome === 'ok' && INTENTS[intent].followUp) context = { ...context, last: { intent, slots } };
  return context;
}
