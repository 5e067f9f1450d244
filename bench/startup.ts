/**
 * Start-up time and memory of the zero-setup mode: spawns the service on a fresh data
 * directory (first start: initdb, migrations, demo seed) and again on the same one (restart),
 * and prints when /health and /ready first answer and the process's resident memory.
 * Run: npx tsx bench/startup.ts
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';

const PORT = 18_000 + Math.floor(Math.random() * 1_000);

async function waitFor(path: string, started: number): Promise<number> {
  for (;;) {
    try {
      const res = await fetch(`http://127.0.0.1:${PORT}${path}`);
      if (res.ok) return (performance.now() - started) / 1000;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

async function run(dataDir: string, label: string): Promise<void> {
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { ...process.env, DATA_DIR: dataDir, PORT: String(PORT), LOG_LEVEL: 'warn', DATABASE_URL: '', REDIS_URL: '' },
    stdio: 'ignore',
  });
  const health = await waitFor('/health', started);
  const ready = await waitFor('/ready', started);
  await new Promise((r) => setTimeout(r, 1_000));
  const rss = await rssMiB(child.pid!);
  console.log(`${label.padEnd(13)} /health ${health.toFixed(1)} s   /ready ${ready.toFixed(1)} s   RSS ${rss.toFixed(0)} MiB`);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
}

const dataDir = await mkdtemp(join(tmpdir(), 'holomesh-startup-'));
console.log(`load average ${loadavg().map((l) => l.toFixed(1)).join(' ')} on this machine`);
await run(dataDir, 'first start');
await run(dataDir, 'restart');
await rm(dataDir, { recursive: true, force: true });
