/**
 * Worker thread that owns the embedded database: PGlite on `<dataDir>/pg` and the socket server
 * in front of it. On a thread of its own, the first start's initdb (seconds of CPU) runs while
 * the main thread loads the service, and later queries never block the main event loop.
 * It loads PGlite as soon as it is spawned and opens the data directory when told which.
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parentPort } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';

/** Owner → worker. */
export type EmbeddedWorkerCommand =
  | { readonly type: 'open'; readonly pgDir: string; readonly socketPath: string }
  | { readonly type: 'close' };

/** Worker → owner. `created`: the data directory was new and initdb ran. */
export type EmbeddedWorkerMessage =
  | { readonly type: 'ready'; readonly created: boolean }
  | { readonly type: 'failed'; readonly message: string }
  | { readonly type: 'closed' };

interface Opened {
  readonly db: PGlite;
  readonly server: PGLiteSocketServer;
  readonly socketPath: string;
}

if (!parentPort) throw new Error('the embedded database worker runs only in a worker thread');
const port = parentPort;
const post = (message: EmbeddedWorkerMessage) => port.postMessage(message);

async function open(pgDir: string, socketPath: string): Promise<Opened> {
  // PGlite runs initdb when the directory holds no cluster yet (the same test it makes).
  const created = !existsSync(join(pgDir, 'PG_VERSION'));
  const db = await PGlite.create({ dataDir: pgDir });
  // The server's queue keeps a transaction's statements together, so a few connections
  // (the service's pool of one plus CLI commands) can share the single PGlite session safely.
  const server = new PGLiteSocketServer({ db, path: socketPath, maxConnections: 8 });
  await server.start();
  post({ type: 'ready', created });
  return { db, server, socketPath };
}

async function close(opened: Opened): Promise<void> {
  await opened.server.stop();
  await opened.db.close();
  await rm(opened.socketPath, { force: true });
}

let opening: Promise<Opened> | undefined;

port.on('message', (command: EmbeddedWorkerCommand) => {
  if (command.type === 'open' && !opening) {
    opening = open(command.pgDir, command.socketPath);
    opening.catch((err: unknown) => {
      post({ type: 'failed', message: err instanceof Error ? err.message : String(err) });
      port.close();
    });
  }
  if (command.type === 'close') {
    void (opening ?? Promise.reject(new Error('not open'))).then(close).catch(() => {}).finally(() => {
      post({ type: 'closed' });
      port.close();
    });
  }
});
