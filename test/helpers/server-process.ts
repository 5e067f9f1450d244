import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/**
 * The real service as a child process (`node bin/holomesh.js serve`, as in production), for the
 * tests and benches where the process itself is the point: several instances, a SIGKILL, load.
 * Where it is not, build the app in-process (test/helpers/app.ts) instead.
 */

/** The checkout's root. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/holomesh.js', import.meta.url));

/** A port nothing listens on right now (a port of 0 is the safer choice where one can be given). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

// Children still running when this process goes away for any reason (a failed assertion, a crash,
// a timeout that skips afterAll) are killed with it rather than left listening.
const live = new Set<ChildProcess>();
process.once('exit', () => { for (const child of live) child.kill('SIGKILL'); });

/** Kills `child` (SIGKILL) if it is still running when this process exits. */
export function killOnExit(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
}

export interface ServerOptions {
  /** Settings of the server; HOST, PORT and LOG_LEVEL are set from the options below. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * Whether the child starts from this process's environment (default) or only PATH, HOME and
   * TMPDIR, so that nothing but `env` configures it.
   */
  readonly inheritEnv?: boolean;
  /** Default: a free one. */
  readonly port?: number;
  /** Default `warn`. */
  readonly logLevel?: string;
  /** Options of node itself (e.g. `--cpu-prof`). */
  readonly nodeArgs?: readonly string[];
  /** How long it may take until `GET /ready` answers 200. Default 90 s. */
  readonly readyTimeoutMs?: number;
  /** Its name in error messages. Default `holomesh serve`. */
  readonly name?: string;
}

export interface ServerProcess {
  /** e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  readonly child: ChildProcess;
  /** The last of its output (stdout and stderr), for failure messages. */
  output(): string;
  /** Resolves with the exit code or signal once the child is gone. */
  readonly exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL if it is still there after `graceMs` (default 5 s). */
  stop(graceMs?: number): Promise<void>;
}

const OUTPUT_KEPT = 20_000;

/**
 * Starts the service on 127.0.0.1 and resolves once `GET /ready` answers 200.
 * @throws with the tail of its output when it exits first or is not ready in time (it is killed).
 */
export async function spawnServer(options: ServerOptions): Promise<ServerProcess> {
  const name = options.name ?? 'holomesh serve';
  const port = options.port ?? await freePort();
  const base = options.inheritEnv === false
    ? { PATH: process.env.PATH, HOME: process.env.HOME, TMPDIR: process.env.TMPDIR }
    : process.env;
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), BIN, 'serve'], {
    cwd: ROOT,
    env: { ...base, ...options.env, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: options.logLevel ?? 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  killOnExit(child);
  let kept = '';
  const keep = (chunk: Buffer) => { kept = (kept + chunk.toString('utf8')).slice(-OUTPUT_KEPT); };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const output = () => kept;
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const isRunning = () => child.exitCode === null && child.signalCode === null;
  const stop = async (graceMs = 5_000) => {
    if (!isRunning()) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 90_000);
  try {
    for (;;) {
      if (!isRunning()) throw new Error(`${name} exited (${await exited}) before it was ready`);
      if (Date.now() > deadline) throw new Error(`${name} was not ready within ${options.readyTimeoutMs ?? 90_000} ms`);
      try {
        if ((await fetch(`${url}/ready`)).status === 200) break;
      } catch { /* not listening yet */ }
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (err) {
    await stop(0);
    throw new Error(`${(err as Error).message}\n--- ${name} output ---\n${output().slice(-4_000)}`);
  }
  return { url, port, pid: child.pid!, child, output, exited, stop };
}
