import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { DataSource } from 'typeorm';
import type { CommandOutcome, LiveLists, Reply, Transcript, Understanding } from '../contracts.js';
import type { Principal } from '../auth/tokens.js';
import type { PubSub, SessionStore } from '../cache/index.js';
import { pushNotifications, userChannel, type CatalogLists } from '../marketplace/index.js';
import { loadDialog, runTurn, saveDialog, Responses, toReply, type TurnResult } from '../dialog/index.js';
import { findLoggedCommand, insertCommandLog } from './command-log.js';

/** The part of the intent engine the assistant uses (see src/nlu). */
export interface Recognizer {
  recognize(text: string, lists: LiveLists): Understanding;
}

export interface AssistantDeps {
  readonly dataSource: DataSource;
  readonly sessionStore: SessionStore;
  readonly pubsub: PubSub;
  readonly catalog: CatalogLists;
  readonly recognizer: Recognizer;
  readonly settings: {
    readonly confirmTimeoutS: number;
    readonly sessionTtlS: number;
    readonly platformFeeBps: number;
    /** Voice transcripts below this recogniser confidence are not acted on. Default 0.3. */
    readonly minAsrConfidence?: number;
  };
  /** Clock in ms (tests move it). Default Date.now. */
  readonly now?: () => number;
  readonly log?: { error(obj: unknown, msg: string): void; warn(obj: unknown, msg: string): void };
}

export interface CommandInput {
  readonly principal: Principal;
  readonly sessionId: string;
  readonly transcript: Transcript;
  /** The client's id for this command; a retry with the same id gets the same answer and never charges twice. */
  readonly commandId?: string;
}

export interface CommandResult {
  readonly commandId: string;
  /** What was acted on: the engine's understanding with the intent and slots the dialog settled on. */
  readonly understanding: Understanding;
  readonly reply: Reply;
  readonly outcome: CommandOutcome;
}

export interface Assistant {
  handle(input: CommandInput): Promise<CommandResult>;
}

/** Channel of a user's live notifications (the voice WebSocket forwards them). */
export { userChannel };

class DuplicateCommand extends Error {}

/**
 * The assistant: recognise → dialog turn → marketplace action, with exactly one voice_commands
 * row per command written in the same transaction as the command's effect.
 */
export function createAssistant(deps: AssistantDeps): Assistant {
  const now = deps.now ?? Date.now;
  const minAsr = deps.settings.minAsrConfidence ?? 0.3;

  const understand = (transcript: Transcript, lists: LiveLists): Understanding => {
    if (transcript.source === 'voice' && transcript.confidence < minAsr) return { text: transcript.text, intent: null, confidence: 0, slots: {} };
    return deps.recognizer.recognize(transcript.text, lists);
  };

  return {
    async handle(input) {
      const started = performance.now();
      const commandId = input.commandId ?? randomUUID();
      const { userId } = input.principal;
      const earlier = await findLoggedCommand(deps.dataSource, userId, commandId);
      if (earlier) return earlier;

      let understanding: Understanding = { text: input.transcript.text, intent: null, confidence: 0, slots: {} };
      try {
        const { lists } = await deps.catalog.get();
        understanding = understand(input.transcript, lists);
        const state = await loadDialog(deps.sessionStore, userId, input.sessionId);
        const turn: TurnResult = await deps.dataSource.transaction(async (manager) => {
          const result = await runTurn({
            manager, principal: input.principal, commandId, now: now(), lists, understanding, state,
            confirmTimeoutS: deps.settings.confirmTimeoutS, platformFeeBps: deps.settings.platformFeeBps,
          });
          const logged = await insertCommandLog(manager, {
            commandId, userId, sessionId: input.sessionId, transcript: input.transcript,
            intent: result.intent, slots: result.slots, nluConfidence: understanding.confidence,
            outcome: result.outcome, reply: result.reply, latencyMs: performance.now() - started,
          });
          if (!logged) throw new DuplicateCommand();
          return result;
        });
        await saveDialog(deps.sessionStore, userId, input.sessionId, turn.state, deps.settings.sessionTtlS);
        await pushNotifications({ db: deps.dataSource, pubsub: deps.pubsub, ...(deps.log ? { log: deps.log } : {}) }, turn.notifications);
        return {
          commandId,
          understanding: { ...understanding, intent: turn.intent, slots: turn.slots },
          reply: turn.reply,
          outcome: turn.outcome,
        };
      } catch (err) {
        if (err instanceof DuplicateCommand) {
          const winner = await findLoggedCommand(deps.dataSource, userId, commandId);
          if (winner) return winner;
        }
        deps.log?.error({ err, commandId }, 'command failed');
        const reply = toReply(Responses.error());
        // Still exactly one row: the failed command is logged on its own, outside the rolled-back transaction.
        await deps.dataSource.transaction((manager) => insertCommandLog(manager, {
          commandId, userId, sessionId: input.sessionId, transcript: input.transcript,
          intent: understanding.intent, slots: understanding.slots, nluConfidence: understanding.confidence,
          outcome: 'error', reply, latencyMs: performance.now() - started,
        })).catch((logErr: unknown) => deps.log?.error({ err: logErr, commandId }, 'could not log a failed command'));
        return { commandId, understanding, reply, outcome: 'error' };
      }
    },
  };
}
