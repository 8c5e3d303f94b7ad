import { runCli } from '../cli.js';

/** Runs the CLI in-process with its output lines captured, as the CLI tests read them. */
export async function cli(...args: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}
