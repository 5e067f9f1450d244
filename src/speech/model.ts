import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { SpeechError } from './errors.js';

/** Where Debian's `pocketsphinx-en-us` package installs the 16 kHz model. */
export const DEBIAN_MODEL_DIR = '/usr/share/pocketsphinx/model/en-us/en-us';
const DEBIAN_DICT_NAME = 'cmudict-en-us.dict';

export type SpeechModelId = 'en-us-16k' | 'en-us-8k';

/** An acoustic model folder in SoundSwallower's layout, ready for `Decoder({ hmm })`. */
export interface SpeechModel {
  readonly id: SpeechModelId;
  /** Absolute path of the folder (mdef, means, …, dict.txt, feat_params.json). */
  readonly path: string;
  /** Where it came from: the npm package, Debian's package, or a configured folder. */
  readonly source: 'bundled' | 'debian' | 'configured';
  /** The folder it was assembled from, when it was. */
  readonly origin?: string;
}

const require = createRequire(import.meta.url);

/** The en-us model inside the soundswallower package (8 kHz band: upperf 3700, 20 filters). */
export function bundledModelPath(): string {
  return join(dirname(require.resolve('soundswallower')), 'model', 'en-us');
}

export interface ResolveModelOptions {
  /**
   * A model folder: either SoundSwallower's layout (has feat_params.json) or PocketSphinx's
   * (has feat.params; the dictionary is dict.txt, *.dict inside, or cmudict-en-us.dict beside it).
   */
  readonly modelPath?: string;
  /** Where assembled models are kept (`<cacheDir>/models/en-us-16k/`). */
  readonly cacheDir: string;
  /** `8k` forces the bundled model. Default `auto`: the 16 kHz model when found. */
  readonly prefer?: 'auto' | '16k' | '8k';
}

/**
 * Picks the acoustic model: a configured folder, else Debian's 16 kHz model when installed,
 * else the bundled one. PocketSphinx-layout folders are assembled once into the cache.
 * @throws SpeechError `HM_ERR_SPEECH_MODEL_NOT_FOUND` when `modelPath` (or `prefer: '16k'`) finds nothing usable.
 */
export async function resolveSpeechModel(options: ResolveModelOptions): Promise<SpeechModel> {
  const prefer = options.prefer ?? 'auto';
  if (prefer === '8k') return { id: 'en-us-8k', path: bundledModelPath(), source: 'bundled' };
  if (options.modelPath) {
    const folder = resolve(options.modelPath);
    if (existsSync(join(folder, 'feat_params.json'))) {
      return { id: await modelIdOf(folder), path: folder, source: 'configured' };
    }
    if (existsSync(join(folder, 'feat.params'))) {
      const path = await assembleModel(folder, join(resolve(options.cacheDir), 'models', 'en-us-16k'));
      return { id: await modelIdOf(path), path, source: 'configured', origin: folder };
    }
    throw new SpeechError('HM_ERR_SPEECH_MODEL_NOT_FOUND', `No acoustic model in ${folder} (expected feat.params or feat_params.json)`);
  }
  if (existsSync(join(DEBIAN_MODEL_DIR, 'feat.params'))) {
    const path = await assembleModel(DEBIAN_MODEL_DIR, join(resolve(options.cacheDir), 'models', 'en-us-16k'));
    return { id: 'en-us-16k', path, source: 'debian', origin: DEBIAN_MODEL_DIR };
  }
  if (prefer === '16k') {
    throw new SpeechError(
      'HM_ERR_SPEECH_MODEL_NOT_FOUND',
      `The 16 kHz model is not installed: install Debian's pocketsphinx-en-us or set SPEECH_MODEL_PATH`,
    );
  }
  return { id: 'en-us-8k', path: bundledModelPath(), source: 'bundled' };
}

/** One line for the start-up log, e.g. `soundswallower/en-us-16k (Debian pocketsphinx-en-us, 16 kHz band)`. */
export function describeSpeechModel(model: SpeechModel): string {
  const band = model.id === 'en-us-16k' ? '16 kHz band' : '8 kHz band';
  const from =
    model.source === 'bundled' ? 'bundled with soundswallower' : model.source === 'debian' ? `Debian pocketsphinx-en-us` : `configured`;
  return `soundswallower/${model.id} (${from}, ${band}, ${model.path})`;
}

/**
 * One line on how to get the better model when the bundled 8 kHz one is in use (null otherwise):
 * Debian's 16 kHz model hears real people better, most of all in noise (README, speech bench).
 */
export function speechModelAdvice(model: Pick<SpeechModel, 'id'>): string | null {
  if (model.id !== 'en-us-8k') return null;
  return 'Speech uses the bundled 8 kHz model; for better recognition install the 16 kHz one (apt-get install pocketsphinx-en-us) or set SPEECH_MODEL_PATH to a 16 kHz model folder';
}

async function modelIdOf(folder: string): Promise<SpeechModelId> {
  const params = JSON.parse(await readFile(join(folder, 'feat_params.json'), 'utf8')) as { upperf?: number };
  return (params.upperf ?? 0) > 4000 ? 'en-us-16k' : 'en-us-8k';
}

/** Parses a PocketSphinx `feat.params` (`-key value` lines). */
export function parseFeatParams(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const match = /^\s*-(\S+)\s+(.*?)\s*$/.exec(line);
    if (match) out[match[1]] = match[2];
  }
  return out;
}

/** feat.params → SoundSwallower's feat_params.json (the keys its front end reads). */
export function featParamsToJson(params: Record<string, string>): Record<string, string | number | boolean> {
  const num = (key: string, fallback: number): number => (params[key] !== undefined ? Number(params[key]) : fallback);
  const out: Record<string, string | number | boolean> = {
    lowerf: num('lowerf', 130),
    upperf: num('upperf', 6800),
    nfilt: num('nfilt', 25),
    transform: params.transform ?? 'dct',
    lifter: num('lifter', 22),
    feat: params.feat ?? '1s_c_d_dd',
    svspec: params.svspec ?? '0-12/13-25/26-38',
    // Batch CMN needs the whole utterance; "current" is the streaming equivalent.
    cmn: 'current',
    varnorm: params.varnorm === 'yes',
  };
  if (params.cmninit) out.cmninit = params.cmninit;
  return out;
}

const MODEL_FILES = ['mdef', 'means', 'variances', 'sendump', 'transition_matrices'] as const;

function findDictionary(folder: string): string {
  for (const candidate of [join(folder, 'dict.txt'), join(dirname(folder), DEBIAN_DICT_NAME), join(folder, DEBIAN_DICT_NAME)]) {
    if (existsSync(candidate)) return candidate;
  }
  throw new SpeechError('HM_ERR_SPEECH_MODEL_NOT_FOUND', `No pronunciation dictionary for the model in ${folder}`);
}

/** Assemblies under way in this process, by target folder: concurrent callers share one. */
const assembling = new Map<string, Promise<string>>();

/**
 * Copies a PocketSphinx-layout model into `target` in SoundSwallower's layout. Idempotent: a
 * stamp of the source files' sizes and dates skips the work when nothing changed.
 */
export function assembleModel(source: string, target: string): Promise<string> {
  const pending = assembling.get(target);
  if (pending) return pending;
  const work = assembleOnce(source, target).finally(() => assembling.delete(target));
  assembling.set(target, work);
  return work;
}

async function assembleOnce(source: string, target: string): Promise<string> {
  for (const name of [...MODEL_FILES, 'noisedict', 'feat.params']) {
    if (!existsSync(join(source, name))) throw new SpeechError('HM_ERR_SPEECH_MODEL_NOT_FOUND', `Model ${source} lacks ${name}`);
  }
  const dictionary = findDictionary(source);
  const inputs = [...MODEL_FILES.map((f) => join(source, f)), join(source, 'noisedict'), join(source, 'feat.params'), dictionary];
  const stamps = await Promise.all(inputs.map(async (f) => `${f}:${(await stat(f)).size}:${(await stat(f)).mtimeMs}`));
  const stamp = stamps.join('\n');
  if (await hasStamp(target, stamp)) return target;

  // Build beside the target and swap in, so a concurrent reader never sees half a model. The
  // staging folder's name is unique, so another process assembling the same model does not share it.
  await mkdir(dirname(target), { recursive: true });
  const staging = await mkdtemp(`${target}.tmp-`);
  try {
    for (const name of MODEL_FILES) await copyFile(join(source, name), join(staging, name));
    await copyFile(join(source, 'noisedict'), join(staging, 'noisedict.txt'));
    await copyFile(dictionary, join(staging, 'dict.txt'));
    await copyFile(join(bundledModelPath(), 'phoneset.json'), join(staging, 'phoneset.json'));
    const params = featParamsToJson(parseFeatParams(await readFile(join(source, 'feat.params'), 'utf8')));
    await writeFile(join(staging, 'feat_params.json'), `${JSON.stringify(params, null, 1)}\n`);
    await writeFile(join(staging, '.assembled-from'), stamp);
    if (!(await swapIn(staging, target, stamp))) {
      // An older model is in the way: replace it. Only a stale folder is ever removed, so a
      // process that assembled the same model a moment earlier keeps its result.
      await rm(target, { recursive: true, force: true });
      await swapIn(staging, target, stamp);
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  if (!(await hasStamp(target, stamp))) {
    throw new SpeechError('HM_ERR_SPEECH_MODEL_NOT_FOUND', `Could not assemble the model from ${source} into ${target}`);
  }
  return target;
}

async function hasStamp(folder: string, stamp: string): Promise<boolean> {
  try {
    return (await readFile(join(folder, '.assembled-from'), 'utf8')) === stamp;
  } catch {
    return false;
  }
}

/** Renames `staging` to `target`; true when done or when `target` already holds the same model. */
async function swapIn(staging: string, target: string, stamp: string): Promise<boolean> {
  try {
    await rename(staging, target);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
    return hasStamp(target, stamp);
  }
}
