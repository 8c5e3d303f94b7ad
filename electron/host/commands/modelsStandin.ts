import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatBytes } from '../../shared/format.js';
import { formatParameters } from '../../core/models/parameterCount.js';
import { STANDIN_FAMILIES, type StandinFamily } from '../../core/models/standin/families.js';
import { writeStandin } from '../../core/models/standin/writeStandin.js';
import { CliError, type CliIo } from './command.js';

/** `models standin FAMILY [--fp16] [--tiny] --out DIR` */
export function standin(family: string | undefined, v: { fp16?: boolean; tiny?: boolean; out?: string }, io: CliIo): number {
  if (!family || !(STANDIN_FAMILIES as readonly string[]).includes(family)) {
    throw new CliError(`models standin needs a family: ${STANDIN_FAMILIES.join(', ')}`);
  }
  if (!v.out) throw new CliError('models standin needs --out DIR (the folder to write the model into)');
  const dir = resolve(v.out);
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new CliError(`${dir} is not empty: choose a new folder`);
  const tty = process.stderr.isTTY === true;
  let lastPct = -1;
  const t = performance.now();
  const summary = writeStandin({
    family: family as StandinFamily,
    fp16: v.fp16,
    tiny: v.tiny,
    outDir: dir,
    onProgress: (p) => {
      const pct = Math.floor((100 * p.doneBytes) / p.totalBytes);
      if (pct === lastPct) return;
      lastPct = pct;
      if (tty) process.stderr.write(`\r${String(pct).padStart(3)}%  ${formatBytes(p.doneBytes, 'precise')} / ${formatBytes(p.totalBytes, 'precise')}  ${p.part}    `);
    },
  });
  if (tty) process.stderr.write('\n');
  io.out(`${summary.family} stand-in (${summary.dtype}) → ${summary.dir} in ${((performance.now() - t) / 1000).toFixed(1)} s`);
  for (const p of summary.parts) {
    const vsPublished = p.published && !v.tiny ? `, published ${formatParameters(p.published)} (${(((p.parameters - p.published) / p.published) * 100).toFixed(2)} %)` : '';
    io.out(`  ${p.part.padEnd(15)} ${formatParameters(p.parameters).padStart(9)} parameters, ${formatBytes(p.bytes, 'precise')}${vsPublished}`);
  }
  return 0;
}
