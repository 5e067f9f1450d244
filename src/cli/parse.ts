import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { loadConfig } from '../config.js';
import { loadIntentSet } from '../load-intents.js';
import { createIntentEngine } from '../nlu/index.js';
import type { LiveLists } from '../contracts.js';
import { withDatabase } from './context.js';
import { loadLiveLists } from './live-lists.js';

export function registerParse(program: Command): void {
  program
    .command('parse')
    .description('understand utterances from stdin, one per line; one JSON object per line on stdout')
    .option('--intents <file>', 'another intents file or folder instead of the marketplace intents (its own lists, no database)')
    .option('--jsonl', 'JSON lines output (the default; kept for scripts that pass it)')
    .action(async (opts: { intents?: string }) => {
      // Broken templates fail here, before any input is read, with file and line.
      const set = await loadIntentSet(opts.intents);
      const engine = createIntentEngine(set, { threshold: loadConfig().nluThreshold });
      const lists: LiveLists = opts.intents ? {} : await withDatabase(loadLiveLists);
      const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
      for await (const line of lines) {
        const u = engine.recognize(line, lists);
        process.stdout.write(`${JSON.stringify({ text: line, intent: u.intent, confidence: round(u.confidence), slots: u.slots })}\n`);
      }
    });
}

const round = (x: number) => Math.round(x * 1000) / 1000;
