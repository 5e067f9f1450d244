/** The dialog: session state, slot filling, confirmation, and every sentence the assistant says. */
export { runTurn, type TurnInput, type TurnResult } from './manager.js';
export { runAction, type ActionContext, type ActionResult, type ResolvedSlots } from './actions.js';
export { INTENTS, INTENT_NAMES, READ_ONLY_INTENTS, FAVORITE, isIntentName, type IntentName, type IntentSpec } from './intents.js';
export { Responses } from './responses.js';
export { say, cardinal, escapeXml, toReply, type Spoken } from './ssml.js';
export { dialogKey, loadDialog, saveDialog, EMPTY_STATE, type DialogState, type Pending } from './state.js';
export { matchListValue, matchRating, cleanAnswer } from './slot-match.js';
