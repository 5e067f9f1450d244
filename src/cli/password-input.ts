import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';

/**
 * A password for a command, never from its arguments (they end up in shell history and `ps`):
 * asked twice without echo on a terminal, else the first line of standard input
 * (`printf '%s\n' "$PW" | holomesh users passwd alex`).
 * @throws when nothing was given or the two entries differ.
 */
export async function readPassword(what: string, input: NodeJS.ReadStream = process.stdin): Promise<string> {
  if (input.isTTY) {
    const first = await askHidden(`${what}: `, input);
    const second = await askHidden(`${what} again: `, input);
    if (first !== second) throw new Error('the two passwords differ');
    if (!first) throw new Error('no password given');
    return first;
  }
  const chunks: Buffer[] = [];
  for await (const chunk of input) chunks.push(Buffer.from(chunk as Buffer));
  const line = Buffer.concat(chunks).toString('utf8').split(/\r?\n/)[0] ?? '';
  if (!line) throw new Error(`no password given: type it at the prompt, or send it as the first line of standard input`);
  return line;
}

async function askHidden(prompt: string, input: NodeJS.ReadStream): Promise<string> {
  process.stderr.write(prompt);
  // A terminal interface whose output goes nowhere: what is typed is not echoed.
  const muted = new Writable({ write: (_chunk, _encoding, done) => done() });
  const rl = createInterface({ input, output: muted, terminal: true });
  try {
    return await rl.question('');
  } finally {
    rl.close();
    process.stderr.write('\n');
  }
}
