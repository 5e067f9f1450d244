#!/usr/bin/env node
// Compiles src/ and migrations/ into dist/ with tsc: the service and the `holomesh` command run
// the compiled JavaScript, so no TypeScript transpiler loads at run time.
//   node scripts/build.mjs             build
//   node scripts/build.mjs --if-stale  build only when a source changed since the last build
// `npm install` builds (prepare), `npm start` and bin/holomesh.js rebuild when stale.
// Type errors do not stop the build (tsc --noCheck): `npm test` type-checks.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIST = join(ROOT, 'dist');
/** Written last by a build: its time is the build's. */
const STAMP = join(DIST, '.built');
const SOURCES = ['src', 'migrations', 'tsconfig.json', 'tsconfig.build.json'];

/** The newest modification time (ms) of a file, or of the files under a folder. */
function newestMtime(path) {
  let info;
  try {
    info = statSync(path);
  } catch {
    return 0;
  }
  if (!info.isDirectory()) return info.mtimeMs;
  let newest = info.mtimeMs; // a deleted file shows only as its folder's change
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtime(join(path, entry)));
  return newest;
}

/** True when dist/ is missing or older than a source. */
export function isBuildStale() {
  if (!existsSync(STAMP)) return true;
  const built = statSync(STAMP).mtimeMs;
  return SOURCES.some((source) => newestMtime(join(ROOT, source)) > built);
}

function findTsc() {
  try {
    return createRequire(import.meta.url).resolve('typescript/bin/tsc');
  } catch {
    return null;
  }
}

/**
 * Compiles into a fresh folder and swaps it in, so a process started meanwhile never sees a
 * half-written dist/.
 * @throws Error when typescript is not installed or tsc fails.
 */
export function build() {
  const tsc = findTsc();
  if (!tsc) throw new Error('typescript is not installed: run `npm install` (with dev dependencies), then `npm run build`');
  const staging = `${DIST}.${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  try {
    execFileSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', staging], { stdio: 'inherit' });
    writeFileSync(join(staging, '.built'), `${new Date().toISOString()}\n`);
    const old = `${DIST}.old.${process.pid}`;
    if (existsSync(DIST)) renameSync(DIST, old);
    renameSync(staging, DIST);
    rmSync(old, { recursive: true, force: true });
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/**
 * Builds when dist/ is stale. Without typescript (a production install without dev
 * dependencies) an existing build is used as it is.
 * @throws Error when there is no build and none can be made.
 */
export function ensureBuilt({ log = (line) => console.error(line) } = {}) {
  if (!isBuildStale()) return;
  if (!findTsc() && existsSync(STAMP)) {
    log('holomesh: the TypeScript sources changed since dist/ was built, but typescript is not installed: running the existing build');
    return;
  }
  log(existsSync(STAMP) ? 'holomesh: sources changed since the last build, compiling…' : 'holomesh: compiling the TypeScript sources into dist/…');
  build();
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  try {
    if (process.argv.includes('--if-stale')) ensureBuilt();
    else build();
  } catch (err) {
    console.error(`build: ${err instanceof Error ? err.message : err}`);
    // `npm install --omit=dev` runs prepare without typescript: the install itself goes on.
    process.exit(process.env.npm_lifecycle_event === 'prepare' && !findTsc() ? 0 : 1);
  }
}
