/**
 * Recognition speed over the utterance corpus: `npx tsx bench/nlu.ts [rounds]`.
 * Prints the engine build time and the median / p90 / p99 time of one `recognize` call, as wall
 * time and as CPU time of this process (steadier when the machine is busy).
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DEMO_LISTS } from '../src/demo/catalog.js';
import { loadIntentSet } from '../src/load-intents.js';
import { createIntentEngine } from '../src/nlu/index.js';

const { positionals } = parseArgs({ options: {}, allowPositionals: true });
if (positionals.length > 1) throw new Error(`one argument, the rounds, not: ${positionals.join(' ')}`);
const rounds = Number(positionals[0] ?? 5);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error('rounds must be a whole number ≥ 1');
const texts = readFileSync(new URL('../test/nlu/corpus.jsonl', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => (JSON.parse(line) as { text: string }).text);

const t0 = performance.now();
const engine = createIntentEngine(await loadIntentSet());
const buildMs = performance.now() - t0;

for (const text of texts) engine.recognize(text, DEMO_LISTS); // warm up the JIT
const times: number[] = [];
const cpuTimes: number[] = [];
for (let r = 0; r < rounds; r += 1) {
  for (const text of texts) {
    const cpu = process.cpuUsage();
    const start = performance.now();
    engine.recognize(text, DEMO_LISTS);
    times.push(performance.now() - start);
    const used = process.cpuUsage(cpu);
    cpuTimes.push((used.user + used.system) / 1000);
  }
}
times.sort((a, b) => a - b);
cpuTimes.sort((a, b) => a - b);
const quantile = (sorted: readonly number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const at = (q: number): number => quantile(times, q);
console.log(`nlu recognize: ${texts.length} utterances x ${rounds} rounds`);
console.log(`  build ${buildMs.toFixed(0)} ms`);
console.log(`  median ${(at(0.5) * 1000).toFixed(0)} µs, p90 ${(at(0.9) * 1000).toFixed(0)} µs, p99 ${(at(0.99) * 1000).toFixed(0)} µs, max ${(times[times.length - 1] * 1000).toFixed(0)} µs`);
console.log(`  cpu median ${(quantile(cpuTimes, 0.5) * 1000).toFixed(0)} µs, p90 ${(quantile(cpuTimes, 0.9) * 1000).toFixed(0)} µs, p99 ${(quantile(cpuTimes, 0.99) * 1000).toFixed(0)} µs`);
