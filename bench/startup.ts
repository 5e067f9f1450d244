/**
 * Start-up time and memory of the zero-setup mode: spawns the service on a fresh data
 * directory (first start: initdb, migrations, demo seed) and again on the same one (restart),
 * and prints when /health and /ready first answer, the CPU time the process had used by then
 * (all its threads: more than the wall time means both cores worked), its resident memory a
 * second later, and the steps of the service's own start-up log (wall / CPU seconds since the
 * process started). Also waits for the speech engine to finish warming up.
 * Runs the compiled service (dist/, as `npm start` does; built first when stale); `--tsx` runs
 * the TypeScript sources through tsx instead, for comparison.
 * Run: npx tsx bench/startup.ts [rounds] [--tsx]   (default 1 round = one first start + one restart)
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { ensureBuilt } from '../scripts/build.mjs';
import { freePort } from '../test/helpers/server-process.js';

const { values, positionals } = parseArgs({ options: { tsx: { type: 'boolean', default: false } }, allowPositionals: true });
const FROM_SOURCE = values.tsx;
const ROUNDS = Number(positionals[0] ?? 1);
if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error('rounds must be a whole number ≥ 1');
// Its own spawn, not test/helpers/server-process.ts: what it measures is the start itself, read from the child's log.
const PORT = await freePort();
if (!FROM_SOURCE) ensureBuilt();
const SERVICE = FROM_SOURCE ? ['--import', 'tsx', 'src/main.ts'] : ['dist/src/main.js'];
/** Clock ticks per second of /proc/<pid>/stat (USER_HZ, 100 on Linux). */
const TICKS = 100;

interface StartupLog {
  readonly wallMs: Record<string, number>;
  readonly cpuMs: Record<string, number>;
}

async function waitFor(path: string, started: number, exited: () => boolean): Promise<number> {
  for (;;) {
    if (exited()) throw new Error(`the service exited before ${path} answered`);
    try {
      const res = await fetch(`http://127.0.0.1:${PORT}${path}`);
      if (res.ok) return (performance.now() - started) / 1000;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

/** CPU seconds (user + system, all threads) the process has used so far. */
async function cpuSeconds(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS;
}

const s = (ms: number | undefined) => (ms === undefined ? '?' : (ms / 1000).toFixed(1));

async function run(dataDir: string, label: string): Promise<void> {
  const load = loadavg()[0]!.toFixed(1);
  const started = performance.now();
  const child = spawn(process.execPath, SERVICE, {
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(PORT), LOG_LEVEL: 'info', DATABASE_URL: '', REDIS_URL: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let exited = false;
  let stderr = '';
  let output: string[] = [];
  child.stderr!.on('data', (chunk: Buffer) => { stderr = (stderr + chunk.toString()).slice(-4_000); });
  child.once('exit', (code) => {
    exited = true;
    if (code !== 0 && !stopping) console.error(`${label}: the service exited with code ${code}\n${output.join('\n')}\n${stderr}`);
  });
  let stopping = false;
  let startup: StartupLog | undefined;
  let speechMs: number | undefined;
  const speechWarm = new Promise<void>((resolve) => {
    createInterface({ input: child.stdout! }).on('line', (line) => {
      output = [...output.slice(-30), line];
      let entry: { msg?: string; startup?: StartupLog & { wallMs: number } };
      try { entry = JSON.parse(line); } catch { return; }
      if (entry.msg === 'HoloMesh Voice ready') startup = entry.startup;
      if (entry.msg === 'speech grammar compiled') { speechMs = entry.startup?.wallMs as number | undefined; resolve(); }
    });
    child.once('exit', () => resolve());
  });
  const health = await waitFor('/health', started, () => exited);
  const ready = await waitFor('/ready', started, () => exited);
  const cpu = await cpuSeconds(child.pid!);
  await new Promise((r) => setTimeout(r, 1_000));
  const rss = await rssMiB(child.pid!);
  if (startup) await Promise.race([speechWarm, new Promise((r) => setTimeout(r, 60_000))]);
  const steps = startup
    ? Object.keys(startup.wallMs).map((k) => `${k} ${s(startup!.wallMs[k])}/${s(startup!.cpuMs[k])}`).join(', ')
    : 'no start-up log';
  console.log(`${label.padEnd(11)} load ${load.padStart(4)}   /health ${health.toFixed(1)} s   /ready ${ready.toFixed(1)} s   CPU ${cpu.toFixed(1)} s   RSS ${rss.toFixed(0)} MiB   speech warm ${s(speechMs)} s`);
  console.log(`${''.padEnd(11)} steps (wall/CPU s): ${steps}`);
  stopping = true;
  child.kill('SIGTERM');
  const code = exited ? child.exitCode : await new Promise((r) => child.once('exit', r));
  if (code !== 0) console.error(`${label}: stopping gave exit code ${code}\n${output.join('\n')}\n${stderr}`);
}

for (let round = 0; round < ROUNDS; round += 1) {
  const dataDir = await mkdtemp(join(tmpdir(), 'holomesh-startup-'));
  await run(dataDir, 'first start');
  await run(dataDir, 'restart');
  await rm(dataDir, { recursive: true, force: true });
}
