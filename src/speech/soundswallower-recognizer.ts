import createModule from 'soundswallower';
import type { SoundSwallowerModule } from 'soundswallower';
import { DecoderPool } from './decoder-pool.js';
import { DecoderSession } from './decoder-session.js';
import { Denoiser } from './denoise.js';
import type { RecognitionGrammar } from './engine.js';
import { hostPointer } from './fsg.js';
import type { FsgModule } from './fsg.js';
import type { RecognizerSettings } from './recognizer-settings.js';
import { Verifier } from './verifier.js';

/**
 * The SoundSwallower recogniser of one thread: one WASM module, its decoder pool (decoder-pool.ts),
 * the shared denoiser and verifier, and a DecoderSession per stream (decoder-session.ts).
 * Synchronous once set up: it runs inside a pool worker, never on the main event loop.
 */

let modulePromise: Promise<SoundSwallowerModule> | null = null;

function loadModule(): Promise<SoundSwallowerModule> {
  modulePromise ??= createModule();
  return modulePromise;
}

export class SoundSwallowerRecognizer {
  readonly settings: RecognizerSettings;
  readonly #pool: DecoderPool;
  #denoiser: Denoiser | null = null;
  /** Decodes on the lexicon decoder (which never streams): null when verification is off. */
  #verifier: Verifier | null = null;

  private constructor(pool: DecoderPool, settings: RecognizerSettings) {
    this.#pool = pool;
    this.settings = settings;
  }

  static async create(settings: RecognizerSettings): Promise<SoundSwallowerRecognizer> {
    const module = await loadModule();
    // Loads the model up front, so streams open fast and a broken model fails here.
    const pool = await DecoderPool.create(module, settings);
    const recognizer = new SoundSwallowerRecognizer(pool, settings);
    if (settings.verifyBelow !== undefined && settings.verifyBelow !== false && settings.finalPass !== false) {
      recognizer.#verifier = new Verifier(module as unknown as FsgModule, pool.lexicon, hostPointer(pool.lexicon));
    }
    if (settings.denoise !== false && settings.finalPass !== false) recognizer.#denoiser = await Denoiser.create();
    await pool.warm();
    return recognizer;
  }

  /** Compiles `grammar` and attaches it to every idle decoder, so streams using it open at once. */
  prepare(grammar: RecognitionGrammar): Promise<void> {
    return this.#pool.prepare(grammar);
  }

  async openSession(grammar: RecognitionGrammar): Promise<DecoderSession> {
    const pooled = await this.#pool.take(grammar);
    return new DecoderSession(pooled, this.settings, (d) => this.#pool.release(d), this.#denoiser, this.#verifier);
  }

  /** Idle stream decoders (tests, diagnostics). */
  get idleDecoders(): number {
    return this.#pool.idle;
  }

  /** Resolves once no spare decoder is being built (tests, diagnostics). */
  settled(): Promise<void> {
    return this.#pool.settled();
  }

  /** Frees every idle decoder and compiled grammar. */
  dispose(): void {
    this.#verifier?.dispose();
    this.#pool.dispose();
  }
}
