import type { Region } from '../../contract/generation.js';
import { CliError } from './command.js';

/** `--region "X,Y,W,H:PROMPT"`: a rectangle in output-image pixels and its prompt (which may hold ':' itself). */
export function parseRegionArg(spec: string): Region {
  const m = /^\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*,\s*(\d+)\s*:(.*)$/s.exec(spec);
  if (!m) throw new CliError(`--region must be "X,Y,W,H:PROMPT" in pixels, e.g. "0,0,256,512:a red circle" (got "${spec}")`);
  const [x, y, width, height] = [m[1], m[2], m[3], m[4]].map(Number) as [number, number, number, number];
  const prompt = m[5]!.trim();
  if (prompt === '') throw new CliError(`--region "${spec}" has no prompt after the ':'`);
  if (width === 0 || height === 0) throw new CliError(`--region "${spec}" is empty: give a width and height of at least 1`);
  return { x, y, width, height, prompt };
}
