import { createHash } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, normalize, resolve, sep } from 'node:path';
import { once } from 'node:events';
import { crc32, inflateRawSync } from 'node:zlib';
import type { Command } from 'commander';
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
    await unzipTo(await readFile(part), staging);
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
 * Unpacks a zip (stored or deflated entries, no zip64) with node's zlib, checking each entry's
 * CRC-32 and size and refusing paths that leave `dest`.
 */
export async function unzipTo(zip: Buffer, dest: string): Promise<number> {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0 || eocd + 22 > zip.length) throw new ModelDownloadError('not a zip file (no end of central directory)');
  const count = zip.readUInt16LE(eocd + 10);
  let at = zip.readUInt32LE(eocd + 16);
  if (count === 0xffff || at === 0xffffffff) throw new ModelDownloadError('zip64 archives are not supported');
  const root = resolve(dest);
  let files = 0;
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new ModelDownloadError('corrupt zip: bad central directory entry');
    const method = zip.readUInt16LE(at + 10);
    const crc = zip.readUInt32LE(at + 16);
    const compressed = zip.readUInt32LE(at + 20);
    const size = zip.readUInt32LE(at + 24);
    const nameLen = zip.readUInt16LE(at + 28);
    const extraLen = zip.readUInt16LE(at + 30);
    const commentLen = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLen);
    at += 46 + nameLen + extraLen + commentLen;
    const path = resolve(root, normalize(name));
    if (isAbsolute(name) || name.split(/[\\/]/).includes('..') || !path.startsWith(root + sep)) throw new ModelDownloadError(`zip entry leaves the target folder: ${name}`);
    if (name.endsWith('/')) {
      await mkdir(path, { recursive: true });
      continue;
    }
    if (zip.readUInt32LE(local) !== 0x04034b50) throw new ModelDownloadError(`corrupt zip: bad local header for ${name}`);
    const start = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const raw = zip.subarray(start, start + compressed);
    let data: Buffer;
    if (method === 0) data = raw;
    else if (method === 8) data = inflateRawSync(raw);
    else throw new ModelDownloadError(`unsupported zip compression ${method} for ${name}`);
    if (data.length !== size || crc32(data) !== crc) throw new ModelDownloadError(`corrupt zip: ${name} fails its CRC/size check`);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, data);
    files++;
  }
  return files;
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
