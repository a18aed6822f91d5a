/**
 * What the command-line tools share: an unusable invocation prints why, with the usage text, and
 * exits 2; the arguments are Node's own parseArgs.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

export function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

/** The parsed arguments, or exit 2 with the parser's message and `usage`. */
export function parseOrFail<T extends ParseArgsConfig>(config: T, usage: string) {
  try {
    return parseArgs(config);
  } catch (error) {
    return fail(`${(error as Error).message}\n\n${usage}`);
  }
}
