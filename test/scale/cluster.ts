import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { tmpdir } from 'node:os';
import pg from 'pg';
import { freePort, killOnExit, spawnServer, type ServerProcess } from '../helpers/server-process.js';
import { waitFor } from '../helpers/wait-for.js';

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

export interface Instance extends ServerProcess {
  readonly name: string;
}

/** `holomesh serve` on a free port with its own data directory; resolves once `GET /ready` answers 200. */
export async function startInstance(name: string, env: Record<string, string>, timeoutMs: number): Promise<Instance> {
  const dataDir = await mkdtemp(join(tmpdir(), `holomesh-scale-${name}-`));
  try {
    const server = await spawnServer({ name: `instance ${name}`, env: { DATA_DIR: dataDir, ...env }, logLevel: 'info', readyTimeoutMs: timeoutMs });
    void server.exited.then(() => rm(dataDir, { recursive: true, force: true }));
    return { ...server, name };
  } catch (err) {
    await rm(dataDir, { recursive: true, force: true });
    throw err;
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
  killOnExit(child);
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
