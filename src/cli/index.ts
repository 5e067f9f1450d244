import { Command, CommanderError } from 'commander';
import { HoloMeshError } from '../errors.js';
import { registerServe } from './serve.js';
import { registerWyoming } from './wyoming.js';

/**
 * The `holomesh` command line. Each subcommand lives in its own module and registers itself.
 * For `serve` and `wyoming` alone the others are not loaded: their modules (database, intent engine, speech)
 * would only delay the service, which loads what it needs while its database starts.
 */
export async function buildCli(command?: string): Promise<Command> {
  const program = new Command('holomesh')
    .description('HoloMesh Voice: voice-first assistant for the HoloMesh marketplace')
    .showHelpAfterError()
    .configureHelp({ sortSubcommands: true });
  registerServe(program);
  registerWyoming(program);
  if (command === 'serve' || command === 'wyoming') return program;
  const [database, token, users, devices, parse, grammars, stream, transcribe, models] = await Promise.all([
    import('./database.js'),
    import('./token.js'),
    import('./users.js'),
    import('./devices.js'),
    import('./parse.js'),
    import('./grammars.js'),
    import('./stream.js'),
    import('./transcribe.js'),
    import('./models.js'),
  ]);
  database.registerDatabaseCommands(program);
  token.registerToken(program);
  users.registerUsers(program);
  devices.registerDevices(program);
  parse.registerParse(program);
  grammars.registerGrammars(program);
  stream.registerStream(program);
  transcribe.registerTranscribe(program);
  models.registerModels(program);
  return program;
}

export async function runCli(argv: string[]): Promise<void> {
  try {
    const program = await buildCli(argv[2]);
    await program.exitOverride().parseAsync(argv);
  } catch (err) {
    if (err instanceof CommanderError) process.exit(err.exitCode);
    console.error(`holomesh: ${err instanceof HoloMeshError || err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  }
}

await runCli(process.argv);
