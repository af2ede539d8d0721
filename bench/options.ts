/**
 * Command-line parsing shared by the benchmark scripts: Node's util.parseArgs in strict
 * mode, so that a misspelt option is rejected instead of silently ignored, and integer
 * options checked with the option's name and value in the error.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

/** Parses `argv` (without the node and script paths) against `spec`; throws naming the bad option. */
export function parseBenchArgs<T extends OptionSpec>(program: string, argv: string[], spec: T) {
  try {
    return parseArgs({ args: argv, options: spec, strict: true, allowPositionals: false }).values;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new RangeError(`${program}: ${reason}; run with --help for the options`);
  }
}

/** Reads an integer option ≥ `minimum`, or `fallback` when the option is absent. */
export function integerOption(program: string, name: string, raw: unknown, fallback: number, minimum = 1): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (typeof raw !== 'string' || raw.trim() === '' || !Number.isInteger(value) || value < minimum) {
    throw new RangeError(`${program}: --${name} must be an integer ≥ ${minimum}, received "${String(raw)}"`);
  }
  return value;
}
