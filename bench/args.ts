/** The speech benches' command lines, read with node:util's parseArgs: an unknown option is an error. */
import { parseArgs, type ParseArgsConfig } from 'node:util';

type Options = NonNullable<ParseArgsConfig['options']>;

/**
 * parseArgs reads `--threshold -3` as two options; the README writes thresholds that way, so a
 * negative number after an option that takes a value is joined to it (`--threshold=-3`).
 */
export function joinNegativeNumbers(args: readonly string[], options: Options): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const next = args[i + 1];
    const takesValue = arg.startsWith('--') && !arg.includes('=') && options[arg.slice(2)]?.type === 'string';
    if (takesValue && next !== undefined && /^-(\d|\.\d|Infinity\b)/.test(next)) {
      out.push(`${arg}=${next}`);
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}

/** parseArgs in strict mode over `args` (default: this process's), negative values joined first. */
export function parseBenchArgs<T extends ParseArgsConfig & { options: Options }>(config: T): ReturnType<typeof parseArgs<T>> {
  const args = joinNegativeNumbers(config.args ?? process.argv.slice(2), config.options);
  return parseArgs({ ...config, args, strict: true } as T);
}

/** A number option's value; undefined stays undefined, anything but a number is an error. */
export function numberArg(name: string, text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text.trim() === '' || Number.isNaN(value)) throw new Error(`--${name} ${text}: not a number`);
  return value;
}

/** A number, `off` (false), or undefined when not given; anything else is an error. */
export function numberOrOffArg(name: string, text: string | undefined): number | false | undefined {
  return text === 'off' ? false : numberArg(name, text);
}

/** A whole number ≥ `min`, or `fallback` when not given. */
export function wholeArg(name: string, text: string | undefined, fallback: number, min = 1): number {
  const value = numberArg(name, text) ?? fallback;
  if (!Number.isInteger(value) || value < min) throw new Error(`--${name} ${text}: must be a whole number ≥ ${min}`);
  return value;
}

/** `--NAME off` (true) or `--NAME on` / not given (false); anything else is an error. */
export function isOff(name: string, text: string | undefined): boolean {
  if (text === undefined || text === 'on') return false;
  if (text === 'off') return true;
  throw new Error(`--${name} ${text}: expected "on" or "off"`);
}
