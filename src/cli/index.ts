import { Command, CommanderError } from 'commander';
import { HoloMeshError } from '../errors.js';
import { registerServe } from './serve.js';
import { registerDatabaseCommands } from './database.js';
import { registerToken } from './token.js';
import { registerParse } from './parse.js';
import { registerGrammars } from './grammars.js';
import { registerStream } from './stream.js';
import { registerTranscribe } from './transcribe.js';
import { registerModels } from './models.js';

/** The `holomesh` command line. Each subcommand lives in its own module and registers itself. */
export function buildCli(): Command {
  const program = new Command('holomesh')
    .description('HoloMesh Voice: voice-first assistant for the HoloMesh marketplace')
    .showHelpAfterError()
    .configureHelp({ sortSubcommands: true });
  registerServe(program);
  registerDatabaseCommands(program);
  registerToken(program);
  registerParse(program);
  registerGrammars(program);
  registerStream(program);
  registerTranscribe(program);
  registerModels(program);
  return program;
}

export async function runCli(argv: string[]): Promise<void> {
  try {
    await buildCli().exitOverride().parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode);
    console.error(`holomesh: ${err instanceof HoloMeshError || err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}

await runCli(process.argv);
