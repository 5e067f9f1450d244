import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chown, mkdtemp, rm } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { freePort } from '../helpers/server-process.js';
import { waitFor } from '../helpers/wait-for.js';

/**
 * Private, real PostgreSQL and Redis servers for fault tests: each file starts its own on free
 * ports and stops, kills and restarts them at will — the shared servers of the other tests are
 * never touched.
 */

/** A file on PATH (or in the usual sbin folders), or null. */
function which(name: string): string | null {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/sbin', '/usr/local/sbin'];
  for (const dir of dirs) if (dir && existsSync(join(dir, name))) return join(dir, name);
  return null;
}

/** The folder with initdb and pg_ctl: `pg_config --bindir`, else the newest Debian layout. */
export function findPgBinDir(): string | null {
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    if (existsSync(join(dir, 'initdb')) && existsSync(join(dir, 'pg_ctl'))) return dir;
  } catch {
    // no pg_config: try the Debian layout
  }
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root).filter((v) => /^\d+$/.test(v)).sort((a, b) => Number(b) - Number(a));
  for (const v of versions) if (existsSync(join(root, v, 'bin', 'initdb'))) return join(root, v, 'bin');
  return null;
}

export function findRedisServer(): string | null {
  return which('redis-server');
}

/** Why a private PostgreSQL cannot be started here, or null when it can. */
export function postgresMissing(): string | null {
  if (!findPgBinDir()) return 'PostgreSQL server binaries (initdb, pg_ctl) not found: install postgresql';
  if (isRoot() && !postgresUser()) return 'running as root and there is no "postgres" user to run initdb as';
  if (isRoot() && !which('runuser') && !which('su')) return 'running as root without runuser or su to switch to the postgres user';
  return null;
}

/** Why a private Redis cannot be started here, or null when it can. */
export function redisMissing(): string | null {
  return findRedisServer() ? null : 'redis-server not found: install redis-server';
}

const isRoot = () => process.getuid?.() === 0;

function postgresUser(): { uid: number; gid: number } | null {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim());
    return Number.isInteger(uid) && Number.isInteger(gid) ? { uid, gid } : null;
  } catch {
    return null;
  }
}

// Children still running when the test process exits (a failed assertion, a crash) are stopped.
const exitCleanups = new Set<() => void>();
process.once('exit', () => { for (const cleanup of exitCleanups) cleanup(); });

export interface PrivatePostgres {
  readonly port: number;
  /** `postgres://postgres@127.0.0.1:PORT/DATABASE` (trust authentication). */
  url(database?: string): string;
  /** `fast` disconnects every session and shuts down cleanly; `immediate` is a crash (recovery at the next start). */
  stop(mode: 'fast' | 'immediate'): Promise<void>;
  /** Starts it again (unless it runs) on the same port and data directory; resolves once it accepts connections. */
  start(): Promise<void>;
  /** Stops it and removes its data directory. */
  close(): Promise<void>;
}

/** initdb into a temp dir and start a cluster on a free port (as the postgres user when running as root). */
export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const missing = postgresMissing();
  if (missing) throw new Error(missing);
  const bin = findPgBinDir()!;
  const dir = await mkdtemp(join(tmpdir(), 'holomesh-fault-pg-'));
  const owner = isRoot() ? postgresUser() : null;
  if (owner) await chown(dir, owner.uid, owner.gid); // initdb refuses to run as root
  const data = join(dir, 'data');
  const port = await freePort();

  // Asynchronous, so the app under test keeps serving its load while the server stops and starts.
  const run = (tool: string, args: string[]) => new Promise<void>((resolve, reject) => {
    const command = owner ? asPostgres(join(bin, tool), args) : { file: join(bin, tool), args };
    const child = spawn(command.file, command.args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d: Buffer) => { output += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { output += d.toString(); });
    child.once('error', reject);
    // 'exit', not 'close': the postmaster pg_ctl leaves running must not hold this up.
    child.once('exit', (code, signal) => (code === 0 ? resolve() : reject(new Error(`${tool} failed (${code ?? signal}): ${output}`))));
  });
  const settings = [
    `-p ${port}`, `-k ${dir}`, '-c listen_addresses=127.0.0.1',
    // A throwaway cluster: durability against power loss is not what these tests are about.
    '-c fsync=off', '-c full_page_writes=off', '-c max_connections=60',
  ].join(' ');
  let running = false;
  const start = async () => {
    if (running) return;
    running = true;
    await run('pg_ctl', ['-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60', '-o', settings, 'start']);
  };
  const stop = async (mode: 'fast' | 'immediate') => {
    await run('pg_ctl', ['-D', data, '-m', mode, '-w', '-t', '60', 'stop']);
    running = false;
  };
  const cleanup = () => {
    if (!running) return;
    const command = owner ? asPostgres(join(bin, 'pg_ctl'), ['-D', data, '-m', 'immediate', 'stop']) : { file: join(bin, 'pg_ctl'), args: ['-D', data, '-m', 'immediate', 'stop'] };
    spawnSync(command.file, command.args, { timeout: 30_000 });
    running = false;
  };

  try {
    await run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--no-sync']);
    await start();
  } catch (err) {
    cleanup();
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  exitCleanups.add(cleanup);
  return {
    port,
    url: (database = 'postgres') => `postgres://postgres@127.0.0.1:${port}/${database}`,
    stop,
    start,
    async close() {
      cleanup();
      exitCleanups.delete(cleanup);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function asPostgres(file: string, args: string[]): { file: string; args: string[] } {
  const runuser = which('runuser');
  if (runuser) return { file: runuser, args: ['-u', 'postgres', '--', file, ...args] };
  const quoted = [file, ...args].map((a) => `'${a.replaceAll("'", "'\\''")}'`).join(' ');
  return { file: which('su')!, args: ['postgres', '-s', '/bin/sh', '-c', quoted] };
}

export interface PrivateRedis {
  readonly port: number;
  /** `redis://127.0.0.1:PORT/0` */
  readonly url: string;
  /** SIGKILL: the server vanishes mid-command, as in a crash; nothing is persisted. */
  kill(): Promise<void>;
  /** Starts it again on the same port (empty) unless it runs; resolves once it answers PING. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/** `redis-server` as a child process on a free port, without persistence. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const bin = findRedisServer();
  if (!bin) throw new Error(redisMissing()!);
  const dir = await mkdtemp(join(tmpdir(), 'holomesh-fault-redis-'));
  const port = await freePort();
  let child: ChildProcess | null = null;

  const start = async () => {
    if (child && child.exitCode === null && child.signalCode === null) return;
    const started = spawn(bin, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--daemonize', 'no', '--dir', dir], { stdio: 'ignore' });
    child = started;
    let exited = false;
    started.once('exit', () => { exited = true; });
    await waitFor(`redis-server on port ${port}`, async () => {
      if (exited) throw new Error('redis-server exited at start');
      return pingRedis(port);
    }, 15_000);
  };
  const kill = async () => {
    const running = child;
    child = null;
    if (!running || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.once('exit', resolve));
    running.kill('SIGKILL');
    await exited;
  };
  const cleanup = () => { child?.kill('SIGKILL'); };

  await start();
  exitCleanups.add(cleanup);
  return {
    port,
    url: `redis://127.0.0.1:${port}/0`,
    kill,
    start,
    async close() {
      await kill();
      exitCleanups.delete(cleanup);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** True when a Redis server answers PING on the port. */
function pingRedis(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    const done = (ok: boolean) => { socket.destroy(); resolve(ok); };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}
