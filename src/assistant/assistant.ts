import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { DataSource } from 'typeorm';
import type { CommandOutcome, Recognizer, Reply, Transcript, Understanding } from '../contracts.js';
import type { Principal } from '../auth/tokens.js';
import type { PubSub, SessionStore } from '../cache/index.js';
import { pushNotifications, userChannel, type CatalogLists, type CatalogSnapshot } from '../marketplace/index.js';
import { EMPTY_STATE, loadDialog, runTurn, saveDialog, Responses, toReply, type TurnResult } from '../dialog/index.js';
import { findLoggedCommand, insertCommandLog } from './command-log.js';
import { createCommandLogWriter, type CommandLogWriter } from './log-writer.js';
import { isReadOnlyTurn } from './read-only.js';
import { cachingRecognizer } from './understanding-cache.js';
import { toUnavailableError } from '../errors.js';
import type { Metrics } from '../metrics.js';

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
    /** Voice transcripts below this recogniser confidence are not acted on (MIN_ASR_CONFIDENCE). Default 0.3. */
    readonly minAsrConfidence?: number;
    /** Word confidence a spoken yes needs to spend credits (see src/dialog/clear-answer.ts). */
    readonly confirmMinAsrConfidence?: number;
  };
  /** Group commit of read-only commands' log rows. Default: one on `dataSource`. */
  readonly logWriter?: CommandLogWriter;
  /** Records each command's duration by source and outcome. */
  readonly metrics?: Pick<Metrics, 'commandDuration'>;
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
  /** True when `sessionId` was just made for this command: it can have no dialog state to load. */
  readonly isNewSession?: boolean;
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
 * row per command: written in the same transaction as the command's effect, or — for a command
 * that only reads — through the group-commit writer; either way committed before the answer.
 */
export function createAssistant(deps: AssistantDeps): Assistant {
  const now = deps.now ?? Date.now;
  const logWriter = deps.logWriter ?? createCommandLogWriter(deps.dataSource);
  const minAsr = deps.settings.minAsrConfidence ?? 0.3;

  const recognizer = cachingRecognizer(deps.recognizer);
  const understand = (transcript: Transcript, { lists, version }: CatalogSnapshot): Understanding => {
    // A rejected utterance (out of grammar) is never acted on, whatever its text or confidence.
    if (transcript.rejected || (transcript.source === 'voice' && transcript.confidence < minAsr)) return { text: transcript.text, intent: null, confidence: 0, slots: {} };
    return recognizer.recognize(transcript.text, lists, version);
  };

  const assistant: Assistant = {
    async handle(input) {
      const started = performance.now();
      const commandId = input.commandId ?? randomUUID();
      const { userId } = input.principal;
      // Only a client's own id can have been logged before; a fresh one cannot.
      if (input.commandId !== undefined) {
        const earlier = await findLoggedCommand(deps.dataSource, userId, commandId);
        if (earlier) return earlier;
      }

      let understanding: Understanding = { text: input.transcript.text, intent: null, confidence: 0, slots: {} };
      try {
        const [catalog, state] = await Promise.all([
          deps.catalog.get(),
          input.isNewSession ? EMPTY_STATE : loadDialog(deps.sessionStore, userId, input.sessionId),
        ]);
        const { lists } = catalog;
        understanding = understand(input.transcript, catalog);
        const turnInput = {
          principal: input.principal, commandId, now: now(), lists, understanding, state, heard: input.transcript,
          confirmTimeoutS: deps.settings.confirmTimeoutS, platformFeeBps: deps.settings.platformFeeBps,
          ...(deps.settings.confirmMinAsrConfidence === undefined ? {} : { confirmMinAsrConfidence: deps.settings.confirmMinAsrConfidence }),
        };
        const entryOf = (result: TurnResult) => ({
          commandId, userId, sessionId: input.sessionId, transcript: input.transcript,
          intent: result.intent, slots: result.slots, nluConfidence: understanding.confidence,
          outcome: result.outcome, reply: result.reply, latencyMs: performance.now() - started,
        });
        let turn: TurnResult;
        if (isReadOnlyTurn(state, understanding)) {
          // Nothing to change: no transaction, and the log row rides the group commit. The answer
          // is given only once that row is committed.
          turn = await runTurn({ ...turnInput, manager: deps.dataSource.manager });
          if (!(await logWriter.write(entryOf(turn)))) throw new DuplicateCommand();
        } else {
          // A command that may change something logs in the same transaction as its effect.
          turn = await deps.dataSource.transaction(async (manager) => {
            const result = await runTurn({ ...turnInput, manager });
            if (!(await insertCommandLog(manager, entryOf(result)))) throw new DuplicateCommand();
            return result;
          });
        }
        // The same state before and after (nothing pending, nothing new to refer to): skip the round trip.
        if (JSON.stringify(state) !== JSON.stringify(turn.state)) {
          // Committed and logged: a session store outage now costs the dialog's next turn, not this answer.
          await saveDialog(deps.sessionStore, userId, input.sessionId, turn.state, deps.settings.sessionTtlS)
            .catch((err: unknown) => deps.log?.warn({ err, commandId }, 'dialog state not saved'));
        }
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
        // PostgreSQL or Redis unreachable: not acknowledged (503); a retry with the same command id is safe.
        const unavailable = toUnavailableError(err);
        if (unavailable) throw unavailable;
        deps.log?.error({ err, commandId }, 'command failed');
        const reply = toReply(Responses.error());
        // Still exactly one row: the failed command is logged on its own, outside the rolled-back transaction.
        await deps.dataSource.transaction((manager) => insertCommandLog(manager, {
          commandId, userId, sessionId: input.sessionId, transcript: input.transcript,
          intent: understanding.intent, slots: understanding.slots, nluConfidence: understanding.confidence,
          outcome: 'error', reply, latencyMs: performance.now() - started,
        })).catch((logErr: unknown) => {
          // Never answer a command without its log row.
          deps.log?.error({ err: logErr, commandId }, 'could not log a failed command');
          throw toUnavailableError(logErr) ?? logErr;
        });
        return { commandId, understanding, reply, outcome: 'error' };
      }
    },
  };
  return deps.metrics ? timed(assistant, deps.metrics) : assistant;
}

/** Each command's duration, labelled with its outcome; "unavailable" when it was not acknowledged. */
function timed(assistant: Assistant, metrics: Pick<Metrics, 'commandDuration'>): Assistant {
  return {
    async handle(input) {
      const started = performance.now();
      const observe = (outcome: string) => metrics.commandDuration.observe({ source: input.transcript.source, outcome }, (performance.now() - started) / 1000);
      try {
        const result = await assistant.handle(input);
        observe(result.outcome);
        return result;
      } catch (err) {
        observe('unavailable');
        throw err;
      }
    },
  };
}
