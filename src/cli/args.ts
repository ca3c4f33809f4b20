/**
 * The command line's flags before and after node's parseArgs: a negative number given as a flag's
 * value (`--threads -1`) is passed as the value, so the flag's own check can say what it expects,
 * rather than parseArgs' "argument is ambiguous"; an unknown flag gets a "did you mean".
 */
import { didYouMean } from '../config/suggest.js';

/** `--threads -1` → `--threads=-1` for the string flags in `options` (parseArgs would refuse the value). */
export function joinNegativeValues(argv: readonly string[], options: Readonly<Record<string, { type: string }>>): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i].startsWith('--') ? argv[i].slice(2) : null;
    const next = argv[i + 1];
    if (flag !== null && options[flag]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      out.push(`--${flag}=${next}`);
      i++;
    } else out.push(argv[i]);
  }
  return out;
}

/** parseArgs' error, worded for a user: an unknown flag with the closest known one. */
export function describeArgsError(error: Error & { code?: string }, options: Readonly<Record<string, unknown>>): string {
  const unknown = /Unknown option '(-{1,2}[^']+)'/.exec(error.message)?.[1];
  if (error.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' && unknown) {
    return `unknown flag '${unknown}'${didYouMean(unknown.replace(/^-+/, '').split('=')[0], Object.keys(options), (name) => `--${name}`)}`;
  }
  return error.message.split('\n')[0];
}
