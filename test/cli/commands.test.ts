import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_CLIENTS, DEMO_COLLECTORS, DEMO_DESIGNERS } from '../../src/demo/catalog.js';

const run = promisify(execFile);
/** The command as installed: bin/holomesh.js runs the compiled JavaScript in dist/. */
const BIN = fileURLToPath(new URL('../../bin/holomesh.js', import.meta.url));
const COFFEE = fileURLToPath(new URL('../fixtures/coffee.yaml', import.meta.url));

interface Outcome { readonly code: number; readonly stdout: string; readonly stderr: string }

async function holomesh(args: string[], env: NodeJS.ProcessEnv): Promise<Outcome> {
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: { ...process.env, DATABASE_URL: '', REDIS_URL: '', LOG_LEVEL: 'silent', ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('holomesh command line (compiled)', () => {
  let scratch: string;
  beforeAll(async () => { scratch = await mkdtemp(join(tmpdir(), 'holomesh-cli-')); });
  afterAll(async () => { await rm(scratch, { recursive: true, force: true }); });

  it('finds intents/ and grammars/ from dist/ (the committed grammars are up to date)', async () => {
    const out = await holomesh(['grammars', '--check'], { DATA_DIR: scratch });
    expect(out).toMatchObject({ code: 0, stdout: expect.stringContaining('grammars are up to date') });
  }, 120_000);

  it('token: a data folder without a database is an error, and is not created', async () => {
    const nowhere = join(scratch, 'no-data-here');
    const out = await holomesh(['token', '--user', 'alex'], { DATA_DIR: nowhere });
    expect(out.code).toBe(1);
    expect(out.stderr).toContain(`no database in ${nowhere}`);
    expect(existsSync(nowhere)).toBe(false);
  }, 120_000);

  it('transcribe: a line for every file, and exit 1 when files failed', async () => {
    const mp3 = join(scratch, 'order.mp3');
    await writeFile(mp3, Buffer.concat([Buffer.from('ID3\x04\x00\x00\x00\x00\x00\x00', 'latin1'), Buffer.alloc(512)]));
    const missing = join(scratch, 'missing.wav');
    const out = await holomesh(['transcribe', '--intents', COFFEE, '--workers', '1', mp3, missing], { DATA_DIR: scratch });
    expect(out.code).toBe(1);
    const lines = out.stdout.trim().split('\n').map((line) => JSON.parse(line) as { file: string; error?: string });
    expect(lines.map((l) => l.file)).toEqual([mp3, missing]);
    for (const line of lines) expect(line.error).toEqual(expect.any(String));
    expect(out.stderr).toContain('2 of 2 files could not be transcribed');
  }, 120_000);

  it('seed keeps the passwords of the accounts it creates in DATA_DIR/demo-accounts.txt, readable only by its owner', async () => {
    const dataDir = join(scratch, 'seeded');
    const out = await holomesh(['seed'], { DATA_DIR: dataDir });
    expect(out.code).toBe(0);
    const file = join(dataDir, 'demo-accounts.txt');
    expect(out.stdout).toContain(`their passwords are kept in ${file}`);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const printed = new Map([...out.stdout.matchAll(/^ {2}(\w+) \((\w+)\) password: (\S+)$/gm)].map((m) => [m[1], m[3]]));
    const kept = new Map((await readFile(file, 'utf8')).split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split(/\s+/)).map(([u, , p]) => [u, p]));
    // Every demo account: designers, clients, the other collectors and the admin.
    const accounts = DEMO_DESIGNERS.length + DEMO_CLIENTS.length + DEMO_COLLECTORS.length + 1;
    expect(kept.size).toBe(accounts);
    expect(kept).toEqual(printed);
    // A second run creates nothing and leaves the file as it was.
    expect((await holomesh(['seed'], { DATA_DIR: dataDir })).stdout).toContain('created 0 accounts');
    expect((await readFile(file, 'utf8')).split('\n').filter((l) => l && !l.startsWith('#'))).toHaveLength(accounts);
  }, 180_000);
});
