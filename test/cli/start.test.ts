import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait-for.js';
import { freePort } from '../helpers/server-process.js';
import { startBanner } from '../../src/start-banner.js';
import { DEMO_ADMIN, DEMO_CLIENTS, DEMO_COLLECTORS, DEMO_DESIGNERS } from '../../src/demo/catalog.js';

const BIN = fileURLToPath(new URL('../../bin/holomesh.js', import.meta.url));
/** util-linux's `script` gives the service a pseudo-terminal, as a person's shell would. */
const hasScript = spawnSync('script', ['--version'], { stdio: 'ignore' }).status === 0;
const ANSI = /\x1b\[[0-9;]*m/g; // eslint-disable-line no-control-regex

interface Service { readonly child: ChildProcess; readonly url: string; output(): string; stop(): Promise<void> }

/** `holomesh serve` on a fresh port with the embedded database in `dataDir`, on a terminal or not. */
async function serve(dataDir: string, terminal: boolean): Promise<Service> {
  const port = await freePort();
  const command = [process.execPath, BIN, 'serve', '--host', '127.0.0.1', '--port', String(port)];
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', DATA_DIR: dataDir, DATABASE_URL: '', REDIS_URL: '', LOG_LEVEL: 'info', TERM: 'dumb' };
  // detached: its own process group, so stopping it stops `script` and the service under it.
  const child = terminal
    ? spawn('script', ['-qefc', command.map((a) => `'${a}'`).join(' '), '/dev/null'], { env, stdio: ['pipe', 'pipe', 'pipe'], detached: true })
    : spawn(command[0]!, command.slice(1), { env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => { output += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { output += d.toString(); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const service: Service = {
    child,
    url,
    output: () => output.replace(ANSI, '').replace(/\r/g, ''),
    async stop() {
      try { process.kill(-child.pid!, 'SIGTERM'); } catch { /* already gone */ }
      await exited;
    },
  };
  try {
    await waitFor('the service to be ready', async () => child.exitCode === null && (await fetch(`${url}/ready`)).status === 200, 180_000, 200);
  } catch (err) {
    await service.stop();
    throw new Error(`${String(err)}\n${service.output()}`);
  }
  return service;
}

describe.skipIf(!hasScript && !process.env.CI)('npm start tells a person what to do', { timeout: 420_000 }, () => {
  let dataDir: string;
  let first: Service | undefined;
  beforeAll(async () => { dataDir = await mkdtemp(join(tmpdir(), 'holomesh-start-')); });
  afterAll(async () => {
    await first?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('first start on a terminal: a banner with the console, the demo accounts and their passwords file (0600); readable logs; a normal request not at info', async () => {
    first = await serve(dataDir, true);
    await waitFor('the banner', () => first!.output().includes('Ctrl+C stops the service.'), 30_000);
    expect((await fetch(`${first.url}/ready`)).status).toBe(200);
    expect((await fetch(`${first.url}/no-such-page`)).status).toBe(404);
    await waitFor('the 404 line', () => first!.output().includes('GET /no-such-page 404'), 10_000);
    const out = first.output();

    const file = join(dataDir, 'demo-accounts.txt');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const kept = (await readFile(file, 'utf8')).split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(/\s+/));
    expect(kept.map(([name]) => name).sort()).toEqual([DEMO_ADMIN, ...DEMO_DESIGNERS, ...DEMO_CLIENTS, ...DEMO_COLLECTORS].map((a) => a.username).sort());
    expect(kept.find(([name]) => name === 'alex')).toEqual(['alex', 'client', expect.stringMatching(/^\S{12,}$/)]);

    expect(out).toContain('HoloMesh Voice is running');
    expect(out).toContain(`Console    ${first.url}/`);
    expect(out).toContain(`passwords kept in ${file}, readable only by you`);
    // The banner's passwords are the file's.
    for (const [name, role, password] of kept) expect(out).toMatch(new RegExp(`^ +${name} +${role} +${password}$`, 'm'));
    expect(out).toContain('TOKEN=$(npx holomesh token --user alex)');
    // Human-readable lines, not JSON; the 404 at info, the healthy /ready at debug (not shown).
    expect(out).toMatch(/^\[\d\d:\d\d:\d\d\] INFO: HoloMesh Voice ready/m);
    expect(out).not.toMatch(/^\{"level"/m);
    expect(out).toMatch(/INFO: GET \/no-such-page 404 \d+ ms/);
    expect(out).not.toContain('GET /ready');
    await first.stop();
  });

  it('restart without a terminal: JSON logs that say where the passwords are, and never the passwords', async () => {
    const passwords = (await readFile(join(dataDir, 'demo-accounts.txt'), 'utf8')).split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(/\s+/)[2]!);
    const again = await serve(dataDir, false);
    try {
      await fetch(`${again.url}/ready`);
      await waitFor('the passwords line', () => again.output().includes('demo accounts'), 10_000);
      const lines = again.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { level: number; msg: string; passwordsFile?: string });
      expect(lines.find((l) => l.passwordsFile)).toMatchObject({ level: 30, passwordsFile: join(dataDir, 'demo-accounts.txt') });
      expect(again.output()).not.toContain('HoloMesh Voice is running');
      for (const password of passwords) expect(again.output()).not.toContain(password);
      expect(lines.some((l) => l.msg.includes('/ready'))).toBe(false);
    } finally {
      await again.stop();
    }
  });
});

describe('the start banner on a later start', () => {
  it('names the demo accounts by role and points to their passwords file without printing any', () => {
    const kept = [
      { username: 'nova', role: 'designer', password: 'p-nova-123456' },
      { username: 'alex', role: 'client', password: 'p-alex-123456' },
      { username: 'sam', role: 'client', password: 'p-sam-1234567' },
    ];
    const text = startBanner({ url: 'http://0.0.0.0:8080', created: [], kept, passwordsFile: '/srv/holomesh/data/demo-accounts.txt', cwd: '/srv/holomesh' }).replace(ANSI, '');
    expect(text).toContain('Console    http://127.0.0.1:8080/');
    expect(text).toContain('Demo accounts  nova (designer) · alex, sam (client)');
    expect(text).toContain('passwords: cat data/demo-accounts.txt');
    expect(text).toContain('sign in as alex');
    for (const a of kept) expect(text).not.toContain(a.password);
  });
});
