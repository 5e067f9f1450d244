import { mkdir, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import type { PgTarget } from './data-source.js';

/** The port part of the socket name `.s.PGSQL.<port>` that libpq-style clients look for. */
const SOCKET_PORT = 5432;

export interface EmbeddedPostgres {
  readonly target: PgTarget;
  /** True when this process opened the data directory; false when it joined a running server. */
  readonly isOwner: boolean;
  close(): Promise<void>;
}

/**
 * PostgreSQL without a server: PGlite (PostgreSQL in WASM) on `<dataDir>/pg`, served to the plain
 * `pg` driver over a Unix socket in `dataDir`. PGlite allows one process per data directory, so a
 * second process (the CLI while the service runs) connects to the owner's socket instead.
 */
export async function openEmbeddedPostgres(dataDir: string): Promise<EmbeddedPostgres> {
  const socketPath = join(dataDir, `.s.PGSQL.${SOCKET_PORT}`);
  const target: PgTarget = { kind: 'socket', dir: dataDir, port: SOCKET_PORT };
  if (await isListening(socketPath)) {
    return { target, isOwner: false, close: async () => {} };
  }
  await mkdir(dataDir, { recursive: true, mode: 0o700 });
  await rm(socketPath, { force: true }); // left behind by a process that died
  const db = await PGlite.create({ dataDir: join(dataDir, 'pg') });
  // The server's queue keeps a transaction's statements together, so a few connections
  // (the service's pool of one plus CLI commands) can share the single PGlite session safely.
  const server = new PGLiteSocketServer({ db, path: socketPath, maxConnections: 8 });
  await server.start();
  return {
    target,
    isOwner: true,
    close: async () => {
      await server.stop();
      await db.close();
      await rm(socketPath, { force: true });
    },
  };
}

function isListening(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    socket.once('connect', () => { socket.destroy(); resolve(true); });
    socket.once('error', () => resolve(false));
  });
}
