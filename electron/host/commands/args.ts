import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError } from './command.js';
import { toUserMessage } from '../../shared/userError.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** `util.parseArgs` with its exceptions turned into one-line CLI errors. */
export function parse<O extends Options>(args: string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (error) {
    throw new CliError(toUserMessage(error));
  }
}

export function intOption(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  if (!/^-?\d+$/.test(value.trim())) throw new CliError(`--${name} must be a whole number (got "${value}")`);
  return Number(value);
}

export function numberOption(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) throw new CliError(`--${name} must be a number (got "${value}")`);
  return n;
}
