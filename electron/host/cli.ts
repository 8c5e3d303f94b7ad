import { pathToFileURL } from 'node:url';
import { toUserMessage, UserError } from '../shared/userError.js';
import { CliError, type CliCommand, type CliIo } from './commands/command.js';
import { exportCommand } from './commands/export.js';
import { generateCommand, img2imgCommand, inpaintCommand, outpaintCommand } from './commands/generate.js';
import { historyCommand } from './commands/history.js';
import { modelsCommand } from './commands/models.js';
import { tokenizeCommand } from './commands/tokenize.js';
import { upscaleCommand } from './commands/upscale.js';

/** Every command, in the order `--help` lists them. Each lives in host/commands/. */
export const COMMANDS: CliCommand[] = [generateCommand, img2imgCommand, inpaintCommand, outpaintCommand, upscaleCommand, tokenizeCommand, modelsCommand, historyCommand, exportCommand];

function topHelp(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return [
    'Atelier — offline image generation. Usage: npm run cli -- <command> [options]',
    '',
    ...COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `npm run cli -- <command> --help` for the options of each.',
  ].join('\n');
}

/** Errors whose message is meant for the user print as one line; anything else is a bug. */
function describeError(error: unknown): { line: string; code: number } {
  if (error instanceof CliError) return { line: error.message, code: error.exitCode };
  // Engine failures arrive as EngineError (in-process) or JobError (through the engine queue), like every UserError.
  if (error instanceof UserError) return { line: error.toUserMessage(), code: error.code === 'cancelled' ? 130 : 2 };
  return { line: `unexpected failure: ${toUserMessage(error)} (set ATELIER_DEBUG=1 for details)`, code: 1 };
}

export async function runCli(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    io.out(topHelp());
    return name ? 0 : 2;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.err(`error: unknown command "${name}"`);
    io.err(topHelp());
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(command.usage);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (process.env['ATELIER_DEBUG']) console.error(error);
    const { line, code } = describeError(error);
    io.err(`error: ${line}`);
    return code;
  }
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain) {
  // `history list | head` closes the pipe early: that is the reader being done, not a failure.
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    throw error;
  });
  const io: CliIo = { out: (l) => process.stdout.write(`${l}\n`), err: (l) => process.stderr.write(`${l}\n`) };
  runCli(process.argv.slice(2), io).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
