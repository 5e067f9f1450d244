/**
 * The typed contracts between pipeline stages:
 * audio → {@link Transcript} → {@link Understanding} → (dialog + marketplace) → {@link Reply}.
 * Every stage can be used alone; these objects are what passes between them.
 */

/** One recognised word with its timing (seconds from the start of the utterance). */
export interface TranscriptWord {
  readonly word: string;
  readonly start: number;
  readonly end: number;
  /** Posterior confidence 0..1. */
  readonly conf: number;
}

/** What the speech stage heard (or what a user typed, with `source: 'text'`). */
export interface Transcript {
  readonly text: string;
  readonly source: 'voice' | 'text';
  /** Recogniser confidence 0..1; 1 for typed text. */
  readonly confidence: number;
  /** Name of the engine that produced it, e.g. `soundswallower/en-us-16k`; `text` for typed input. */
  readonly engine: string;
  readonly words?: readonly TranscriptWord[];
  /** Other hypotheses, best first (the first equals `text`). */
  readonly alternatives?: readonly { readonly text: string; readonly confidence: number }[];
  /**
   * Speech was heard but the recogniser rejected it: out of grammar (not a command it can say)
   * or too unsure. `text` is empty; the assistant answers "not understood" and never acts.
   */
  readonly rejected?: boolean;
}

/** Slot values after normalisation: display names, lower-case tags, integers, booleans, periods. */
export type SlotValue = string | number | boolean;
export type Slots = Readonly<Record<string, SlotValue>>;

/** What the intent engine understood. `intent: null` means "not understood". */
export interface Understanding {
  readonly text: string;
  readonly intent: string | null;
  /** 0..1; below the configured threshold the assistant answers "not understood". */
  readonly confidence: number;
  readonly slots: Slots;
  readonly alternatives?: readonly { readonly intent: string; readonly confidence: number; readonly slots: Slots }[];
}

/** The values of the lists filled at run time (designers, chips, tags …), by list name. */
export type LiveLists = Readonly<Record<string, readonly string[]>>;

/** Text → {@link Understanding}: the part of the intent engine (src/nlu) the assistant uses. */
export interface Recognizer {
  recognize(text: string, lists: LiveLists): Understanding;
}

/** What the assistant answers. */
export interface Reply {
  readonly text: string;
  /** SSML for speech synthesizers (`<speak>…</speak>`). */
  readonly ssml: string;
  /** Structured data for screens (e.g. the chips found). */
  readonly data?: unknown;
  /** True when the assistant waits for an answer (a missing slot or a confirmation). */
  readonly expectsReply?: boolean;
}

export type CommandOutcome = 'ok' | 'rejected' | 'not_understood' | 'error';
