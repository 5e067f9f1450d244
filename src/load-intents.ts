import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { compileIntents, parseIntentsYaml, type IntentSet } from './nlu/index.js';
import { PROJECT_ROOT } from './project-root.js';

/** The repository's own templates. */
export const DEFAULT_INTENTS_DIR = join(PROJECT_ROOT, 'intents/');

/**
 * Load and compile intent templates: one YAML file, or every `*.yaml` / `*.yml` file of a
 * directory (sorted by name). Defaults to the repository's `intents/` directory.
 * @throws TemplateError for a broken template (file, line, reason); fs errors as they come.
 */
export async function loadIntentSet(pathOrDir: string = DEFAULT_INTENTS_DIR): Promise<IntentSet> {
  const info = await stat(pathOrDir);
  const paths = info.isDirectory()
    ? (await readdir(pathOrDir)).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => join(pathOrDir, f))
    : [pathOrDir];
  if (paths.length === 0) throw new Error(`no *.yaml intent files in ${pathOrDir}`);
  const files = await Promise.all(paths.map(async (path) => parseIntentsYaml(await readFile(path, 'utf8'), basename(path))));
  return compileIntents(files);
}
