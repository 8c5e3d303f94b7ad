import { existsSync, readdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { formatBytes } from '../../shared/format.js';
import { formatParameters } from '../../core/models/parameterCount.js';
import { convertUpscalerJs, UpscalerJsError } from '../../core/models/upscalerjs.js';
import { CliError, type CliIo } from './command.js';

/** `models convert-upscalerjs PACKAGE_DIR [--scale N] [--fp16] --out DIR` */
export function convertUpscalerJsCommand(pkgDir: string | undefined, v: { scale?: string; fp16?: boolean; out?: string }, io: CliIo): number {
  if (!pkgDir) throw new CliError('models convert-upscalerjs needs the unpacked package folder (npm pack @upscalerjs/esrgan-thick; tar xzf the .tgz; pass its package/ folder)');
  if (!v.out) throw new CliError('models convert-upscalerjs needs --out DIR (the upscaler folder to write)');
  const scale = Number(v.scale ?? 4);
  if (![2, 3, 4, 8].includes(scale)) throw new CliError('--scale must be 2, 3, 4 or 8 (the factors UpscalerJS packages ship)');
  const out = resolve(v.out);
  if (existsSync(out) && readdirSync(out).length > 0) throw new CliError(`${out} is not empty: choose a new folder`);
  try {
    const r = convertUpscalerJs({ packageDir: resolve(pkgDir), scale, outDir: out, fp16: v.fp16 });
    io.out(`${r.package} ×${r.scale} (${r.architecture.toUpperCase()}, ${formatParameters(r.parameters)} parameters, ${r.dtype}, values in [${r.range.join(', ')}]) → ${r.dir}/model.onnx (${formatBytes(r.bytes, 'precise')})`);
    io.out(`use it: npm run cli -- upscale --image IN.png --model ${r.dir} --out OUT.png`);
    return 0;
  } catch (e) {
    if (e instanceof UpscalerJsError) throw new CliError(e.message);
    throw e;
  }
}
