import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { delimiter, join, resolve } from 'node:path';
import { tmpdir } from 'node:os';
import { createInterface } from 'node:readline';
import pg from 'pg';

const ROOT = resolve(import.meta.dirname, '..', '..');

// Children still running when the test process goes away for any reason (a crash, a timeout that
// skips afterAll) are killed with it rather than left listening.
const live = new Set<ChildProcess>();
process.once('exit', () => { for (const child of live) child.kill('SIGKILL'); });
function watch(child: ChildProcess): void {
  live.add(child);
  child.once('exit', () => live.delete(child));
}

/** Polls `check` until it returns a value (not undefined) or `timeoutMs` passes. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** A new, empty database on the server of `baseUrl`; `drop()` removes it (even with connections left). */
export async function createEmptyDatabase(baseUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `holomesh_scale_${randomBytes(6).toString('hex')}`;
  const admin = async (sql: string) => {
    const c = new pg.Client({ connectionString: baseUrl });
    await c.connect();
    try { await c.query(sql); } finally { await c.end(); }
  };
  await admin(`CREATE DATABASE ${name}`);
  const u = new URL(baseUrl);
  u.pathname = `/${name}`;
  return { url: u.toString(), drop: () => admin(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}

export interface Instance {
  readonly name: string;
  /** e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly port: number;
  readonly child: ChildProcess;
  /** Output of the child so far (stdout and stderr), for failure messages. */
  output(): string;
  /** Resolves with the exit code or signal once the child is gone. */
  readonly exited: Promise<number | string>;
  /** SIGTERM, then SIGKILL if it is still there after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

/**
 * Starts `node bin/holomesh.js serve` as a child process on a free port and resolves once it
 * listens and `GET /ready` answers 200 (or rejects with its output).
 */
export async function startInstance(name: string, env: Record<string, string>, timeoutMs: number): Promise<Instance> {
  const dataDir = await mkdtemp(join(tmpdir(), `holomesh-scale-${name}-`));
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'holomesh.js'), 'serve'], {
    cwd: ROOT,
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'info', DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  watch(child);
  const lines: string[] = [];
  let onListening: ((url: string) => void) | null = null;
  for (const stream of [child.stdout!, child.stderr!]) {
    createInterface({ input: stream }).on('line', (line) => {
      if (lines.length < 2_000) lines.push(line);
      const m = /Server listening at (http:\/\/127\.0\.0\.1:\d+)/.exec(line);
      if (m) onListening?.(m[1]!);
    });
  }
  const exited = new Promise<number | string>((r) => child.once('exit', (code, signal) => r(code ?? signal ?? -1)));
  void exited.then(() => rm(dataDir, { recursive: true, force: true }));
  const output = () => lines.join('\n');
  const stop = async (graceMs = 5_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  };
  try {
    const url = await new Promise<string>((res, rej) => {
      onListening = res;
      void exited.then((how) => rej(new Error(`instance ${name} exited (${how}) before listening`)));
      setTimeout(() => rej(new Error(`instance ${name} did not listen within ${timeoutMs} ms`)), timeoutMs).unref();
    });
    await waitFor(`${name} /ready`, async () => ((await fetch(`${url}/ready`)).status === 200 ? true : undefined), timeoutMs);
    return { name, url, port: Number(new URL(url).port), child, output, exited, stop };
  } catch (err) {
    await stop(0);
    throw new Error(`${(err as Error).message}\n--- ${name} output ---\n${output().slice(-4_000)}`);
  }
}

/** nginx from PATH or Debian's usual place; null when it is not installed. */
export function findNginx(): string | null {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin'];
  for (const dir of dirs) {
    const path = join(dir, 'nginx');
    if (dir && existsSync(path)) return path;
  }
  return null;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  await new Promise((r) => server.close(r));
  return port;
}

export interface Proxy {
  readonly url: string;
  /** The error log so far (nginx notes failed upstreams there). */
  errorLog(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * The load-balancer configuration of docs/scale-out.md, made runnable from a temp dir: round-robin
 * upstream, WebSocket upgrade headers passed on, and the chosen upstream echoed in `X-Upstream`
 * so a test can see where each request went.
 */
export function nginxConfig(dir: string, port: number, upstreams: readonly string[]): string {
  return `daemon off;
master_process on;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
${process.getuid?.() === 0 ? 'user root;  # the temp dir is private to the user running the test\n' : ''}
events { worker_connections 512; }

http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;

  map $http_upgrade $connection_upgrade {
    default upgrade;
    ''      close;
  }

  upstream holomesh {
    ${upstreams.map((u) => `server ${u} max_fails=1 fail_timeout=30s;`).join('\n    ')}
    keepalive 16;
  }

  server {
    listen 127.0.0.1:${port};

    location / {
      proxy_pass http://holomesh;
      proxy_http_version 1.1;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_read_timeout 120s;
      proxy_next_upstream error timeout http_502 http_503;
      add_header X-Upstream $upstream_addr always;
    }
  }
}
`;
}

/** Starts nginx in the foreground in a temp dir (nothing under /etc/nginx or /var/log is touched). */
export async function startNginx(binary: string, upstreams: readonly string[], timeoutMs = 10_000): Promise<Proxy> {
  const dir = await mkdtemp(join(tmpdir(), 'holomesh-nginx-'));
  const port = await freePort();
  const conf = join(dir, 'nginx.conf');
  await writeFile(conf, nginxConfig(dir, port, upstreams));
  // -e: the error log before the config is read (its compiled-in default is under /var/log).
  const child = spawn(binary, ['-p', dir, '-c', conf, '-e', join(dir, 'error.log')], { stdio: ['ignore', 'pipe', 'pipe'] });
  watch(child);
  let output = '';
  child.stdout!.on('data', (d: Buffer) => { output += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { output += d.toString(); });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      // QUIT = graceful; the KILL fallback keeps a stuck proxy from outliving the test.
      child.kill('SIGQUIT');
      const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitFor('nginx to answer', async () => {
      if (child.exitCode !== null) throw new Error(`nginx exited: ${output}`);
      return (await fetch(`${url}/health`)).ok ? true : undefined;
    }, timeoutMs);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, errorLog: () => readFile(join(dir, 'error.log'), 'utf8').catch(() => ''), stop };
}
