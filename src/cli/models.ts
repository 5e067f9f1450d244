import { createHash } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { once } from 'node:events';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { crc32 } from 'node:zlib';
import type { Command } from 'commander';
import yauzl, { type Entry, type ZipFile } from 'yauzl';
import { loadConfig } from '../config.js';

/**
 * `holomesh models download <name>`: fetches a speech model, checks it and unpacks it under
 * `<DATA_DIR>/models`. `HOLOMESH_MODELS_URL` replaces the download site (a folder URL, or the
 * full URL of the zip), for mirrors and tests.
 */

export interface ModelSource {
  /** Folder name inside the zip (and under the models folder). */
  readonly folder: string;
  readonly file: string;
  readonly url: string;
  /** SHA-256 of the zip. */
  readonly sha256: string;
}

export const MODELS: Readonly<Record<string, ModelSource>> = {
  'vosk-small-en-us': {
    folder: 'vosk-model-small-en-us-0.15',
    file: 'vosk-model-small-en-us-0.15.zip',
    url: 'https://alphacephei.com/vosk/models/vosk-model-small-en-us-0.15.zip',
    sha256: '30f26242c4eb449f948e42cb302dd7a686cb29a3423a8367f99ff41780942498',
  },
};

export class ModelDownloadError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ModelDownloadError';
  }
}

/** The URL to fetch: the model's own, or under `HOLOMESH_MODELS_URL`. */
export function modelUrl(source: ModelSource, env: NodeJS.ProcessEnv = process.env): string {
  const base = env.HOLOMESH_MODELS_URL;
  if (!base) return source.url;
  return base.endsWith('.zip') ? base : `${base.replace(/\/+$/, '')}/${source.file}`;
}

interface DownloadOptions {
  readonly dir: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Progress output (stderr by default). */
  readonly progress?: NodeJS.WritableStream & { isTTY?: boolean };
  readonly timeoutMs?: number;
}

/** Downloads, verifies and unpacks a model; returns its folder. */
export async function downloadModel(name: string, options: DownloadOptions): Promise<string> {
  const source = MODELS[name];
  if (!source) throw new ModelDownloadError(`unknown model "${name}"; available: ${Object.keys(MODELS).join(', ')}`);
  const dir = resolve(options.dir);
  const target = join(dir, source.folder);
  if (existsSync(join(target, 'am')) || existsSync(join(target, 'conf'))) return target;
  await mkdir(dir, { recursive: true });
  const url = modelUrl(source, options.env);
  const part = join(dir, `.${source.file}.part`);
  try {
    const sha256 = await fetchTo(url, part, options.progress ?? process.stderr, options.timeoutMs ?? 60_000);
    if (sha256 !== source.sha256) {
      throw new ModelDownloadError(`checksum mismatch for ${url}: got sha256 ${sha256}, expected ${source.sha256} (corrupt or changed download)`);
    }
    const staging = join(dir, `.${source.folder}.unzipping`);
    await rm(staging, { recursive: true, force: true });
    await unzipTo(part, staging);
    const inner = existsSync(join(staging, source.folder)) ? join(staging, source.folder) : staging;
    await rename(inner, target);
    await rm(staging, { recursive: true, force: true });
    return target;
  } finally {
    await rm(part, { force: true });
  }
}

async function fetchTo(url: string, file: string, out: NodeJS.WritableStream & { isTTY?: boolean }, timeoutMs: number): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'follow' });
  } catch (cause) {
    const reason = cause instanceof Error ? ((cause.cause as Error | undefined)?.message ?? cause.message) : String(cause);
    throw new ModelDownloadError(`cannot download ${url}: ${reason} (no network? set HOLOMESH_MODELS_URL to a reachable mirror)`, { cause });
  }
  if (!response.ok || !response.body) throw new ModelDownloadError(`cannot download ${url}: HTTP ${response.status} ${response.statusText}`);
  const total = Number(response.headers.get('content-length')) || 0;
  const hash = createHash('sha256');
  const sink = createWriteStream(file);
  const started = Date.now();
  let received = 0;
  let lastDraw = 0;
  let lastPercentShown = -1;
  const draw = (final: boolean): void => {
    const now = Date.now();
    const percent = total ? Math.floor((received / total) * 100) : -1;
    if (out.isTTY) {
      if (!final && now - lastDraw < 100) return;
    } else if (!final && (percent < 0 || percent < lastPercentShown + 10)) return;
    lastDraw = now;
    lastPercentShown = percent;
    const rate = received / Math.max((now - started) / 1000, 0.001);
    const line = `${mb(received)}${total ? ` / ${mb(total)}  ${percent}%` : ''}  ${mb(rate)}/s`;
    out.write(out.isTTY ? `\r${line.padEnd(48)}${final ? '\n' : ''}` : `${line}\n`);
  };
  try {
    for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
      hash.update(chunk);
      received += chunk.length;
      if (!sink.write(chunk)) await once(sink, 'drain');
      draw(false);
    }
  } catch (cause) {
    sink.destroy();
    throw new ModelDownloadError(`download of ${url} broke off after ${mb(received)}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
  sink.end();
  await once(sink, 'finish');
  draw(true);
  if (total && received !== total) throw new ModelDownloadError(`download of ${url} is incomplete: ${received} of ${total} bytes`);
  return hash.digest('hex');
}

function mb(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MB`;
}

/**
 * Unpacks the zip file at `zipPath` into `dest` with yauzl, streaming each entry to disk: entry
 * sizes and CRC-32s are checked, and names that would leave `dest` (absolute, `..`) are refused.
 * @returns how many files it wrote.
 * @throws ModelDownloadError for a file that is not a zip, a corrupt entry or an unsafe name.
 */
export async function unzipTo(zipPath: string, dest: string): Promise<number> {
  const root = resolve(dest);
  let zip: ZipFile;
  try {
    zip = await yauzl.openPromise(zipPath, { lazyEntries: true });
  } catch (cause) {
    throw zipError(cause);
  }
  let files = 0;
  const extract = async (entry: Entry): Promise<void> => {
    const name = entry.fileName;
    const path = resolve(root, name);
    // yauzl refuses such names already; checked again here, where the path is made.
    if (!path.startsWith(root + sep)) throw new ModelDownloadError(`zip entry leaves the target folder: ${name}`);
    if (name.endsWith('/')) {
      await mkdir(path, { recursive: true });
      return;
    }
    await mkdir(dirname(path), { recursive: true });
    // yauzl checks the sizes; the CRC-32 is checked here as the bytes go by.
    let crc = 0;
    const checksum = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        crc = crc32(chunk, crc);
        done(null, chunk);
      },
    });
    try {
      await pipeline(await zip.openReadStreamPromise(entry), checksum, createWriteStream(path));
    } catch (cause) {
      throw new ModelDownloadError(`corrupt zip: ${name}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    }
    if (crc !== entry.crc32) throw new ModelDownloadError(`corrupt zip: ${name} fails its CRC check`);
    files++;
  };
  await new Promise<void>((done, fail) => {
    zip.on('error', (cause: unknown) => fail(zipError(cause)));
    zip.on('end', done);
    zip.on('entry', (entry: Entry) => {
      extract(entry).then(() => zip.readEntry(), (err: unknown) => {
        zip.close();
        fail(err);
      });
    });
    zip.readEntry();
  });
  return files;
}

/** yauzl's complaint about an archive as a ModelDownloadError, naming an unsafe entry as such. */
function zipError(cause: unknown): ModelDownloadError {
  const message = cause instanceof Error ? cause.message : String(cause);
  const unsafe = /^(?:absolute path|invalid relative path): (.*)$/.exec(message);
  return new ModelDownloadError(unsafe ? `zip entry leaves the target folder: ${unsafe[1]}` : `not a usable zip file: ${message}`, { cause });
}

export function registerModels(program: Command): void {
  const models = program.command('models').description('download offline speech models');
  models
    .command('download')
    .description(`download, verify and unpack a model (${Object.keys(MODELS).join(', ')})`)
    .argument('<name>', 'model name')
    .option('--dir <dir>', 'where models go (default: <DATA_DIR>/models)')
    .action(async (name: string, opts: { dir?: string }) => {
      const dir = opts.dir ?? join(loadConfig().dataDir, 'models');
      const source = MODELS[name];
      if (source) console.error(`downloading ${source.file} from ${modelUrl(source)}`);
      const folder = await downloadModel(name, { dir });
      console.log(`model ready in ${folder}`);
      console.log(`set: VOSK_MODEL_PATH=${folder}  (and ASR_ENGINE=vosk, or leave ASR_ENGINE=auto)`);
    });
}
