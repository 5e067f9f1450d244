import { mkdir, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { spawnModuleWorker } from '../worker-thread.js';
import type { PgTarget } from './data-source.js';
import type { EmbeddedWorkerCommand, EmbeddedWorkerMessage } from './embedded-worker.js';

/** The port part of the socket name `.s.PGSQL.<port>` that libpq-style clients look for. */
const SOCKET_PORT = 5432;

export interface EmbeddedPostgres {
  readonly target: PgTarget;
  /** True when this process opened the data directory; false when it joined a running server. */
  readonly isOwner: boolean;
  /** Resolves when the socket answers; `created` = this start ran initdb on a new data directory. */
  readonly ready: Promise<{ readonly created: boolean }>;
  /** Resolves (never rejects) if the database thread dies after it was ready: the service cannot go on. */
  readonly lost: Promise<Error>;
  /** Stops the socket server and closes PGlite cleanly (its worker thread then ends). */
  close(): Promise<void>;
}

/**
 * A database thread spawned before the data directory is known: it loads PGlite while the
 * caller loads its configuration, then `startEmbeddedPostgres` hands it the directory.
 */
export interface EmbeddedPreload {
  /** Ends the thread if it was not used (e.g. the configuration names a real server). */
  discard(): void;
}

interface WorkerPreload extends EmbeddedPreload {
  take(): Worker | undefined;
}

export function preloadEmbeddedPostgres(): EmbeddedPreload {
  let worker: Worker | undefined = spawnEmbeddedWorker();
  let exited = false;
  worker.once('exit', () => { exited = true; });
  worker.on('error', () => {}); // a thread that failed to load is replaced when taken, and fails there
  const preload: WorkerPreload = {
    take: () => { const w = exited ? undefined : worker; worker = undefined; return w; },
    discard: () => { void preload.take()?.terminate(); },
  };
  return preload;
}

/**
 * PostgreSQL without a server: PGlite (PostgreSQL in WASM) on `<dataDir>/pg`, served to the plain
 * `pg` driver over a Unix socket in `dataDir`, from a worker thread of its own. PGlite allows one
 * process per data directory, so a second process (the CLI while the service runs) connects to
 * the owner's socket instead.
 *
 * Returns once the thread has the directory, before the database is `ready`: the caller goes on
 * loading the service while the database starts (initdb on a new directory is seconds of CPU).
 */
export async function startEmbeddedPostgres(dataDir: string, preload?: EmbeddedPreload): Promise<EmbeddedPostgres> {
  const socketPath = join(dataDir, `.s.PGSQL.${SOCKET_PORT}`);
  const target: PgTarget = { kind: 'socket', dir: dataDir, port: SOCKET_PORT };
  if (await isListening(socketPath)) {
    preload?.discard();
    return { target, isOwner: false, ready: Promise.resolve({ created: false }), lost: new Promise(() => {}), close: async () => {} };
  }
  let worker: Worker | undefined;
  try {
    await mkdir(dataDir, { recursive: true, mode: 0o700 });
    await rm(socketPath, { force: true }); // left behind by a process that died
    worker = (preload as WorkerPreload | undefined)?.take() ?? spawnEmbeddedWorker();
  } catch (err) {
    preload?.discard();
    throw err;
  }
  let exited = false;
  let closing: Promise<void> | undefined;
  const exit = new Promise<number>((resolve) => worker.once('exit', (code) => { exited = true; resolve(code); }));
  worker.on('error', () => {}); // the thread then exits, which `ready` and `lost` report
  const ready = started(worker, exit);
  ready.catch(() => {}); // the caller awaits it
  const lost = new Promise<Error>((resolve) => {
    void ready.then(() => exit.then((code) => {
      if (!closing) resolve(new Error(`the embedded database thread stopped unexpectedly (exit code ${code})`));
    }), () => {});
  });
  worker.postMessage({ type: 'open', pgDir: join(dataDir, 'pg'), socketPath } satisfies EmbeddedWorkerCommand);
  return {
    target,
    isOwner: true,
    ready,
    lost,
    close: () => (closing ??= exited ? Promise.resolve() : stop(worker, exit)),
  };
}

function spawnEmbeddedWorker(): Worker {
  return spawnModuleWorker(new URL(import.meta.url.endsWith('.ts') ? './embedded-worker.ts' : './embedded-worker.js', import.meta.url), null);
}

/** Resolves when the worker serves the socket; rejects with its reason if it could not start. */
function started(worker: Worker, exit: Promise<number>): Promise<{ created: boolean }> {
  return new Promise((resolve, reject) => {
    const onMessage = (message: EmbeddedWorkerMessage) => {
      if (message.type === 'ready') { worker.off('message', onMessage); resolve({ created: message.created }); }
      if (message.type === 'failed') { worker.off('message', onMessage); reject(new Error(`embedded database: ${message.message}`)); }
    };
    worker.on('message', onMessage);
    void exit.then((code) => reject(new Error(`embedded database thread exited (code ${code}) before it was ready`)));
  });
}

/** Asks the worker to close PGlite cleanly; resolves when the thread has ended. */
function stop(worker: Worker, exit: Promise<number>): Promise<void> {
  worker.on('message', (message: EmbeddedWorkerMessage) => {
    if (message.type === 'closed') void worker.terminate();
  });
  worker.postMessage({ type: 'close' } satisfies EmbeddedWorkerCommand);
  return exit.then(() => {});
}

function isListening(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}
