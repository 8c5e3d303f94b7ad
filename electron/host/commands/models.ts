import { Engine } from '../../core/engine/engine.js';
import { PROVIDER_PREFERENCES, type ProviderPreference } from '../../core/engine/onnx/providers.js';
import { parse } from './args.js';
import { CliError, type CliCommand } from './command.js';
import { resolveModelDir } from './generate.js';

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

export const modelsCommand: CliCommand = {
  name: 'models',
  summary: 'inspect a model folder',
  usage: `npm run cli -- models inspect [DIR] [--json] [--provider P]
  Loads the model and prints what the engine sees (family, parts, dtypes, channels, provider),
  or exactly what is wrong with the folder. DIR defaults to the embedded demo model.`,
  async run(args, io) {
    const { values, positionals } = parse(args, { json: { type: 'boolean' }, provider: { type: 'string' } }, true);
    const [sub, dir] = positionals;
    if (sub !== 'inspect') throw new CliError(`unknown models subcommand "${sub ?? ''}" (try: models inspect DIR)`);
    const provider = (values.provider ?? 'auto') as ProviderPreference;
    if (!PROVIDER_PREFERENCES.includes(provider)) throw new CliError(`--provider must be one of ${PROVIDER_PREFERENCES.join(', ')}`);
    const engine = new Engine({ provider });
    try {
      const before = process.memoryUsage().rss;
      const info = await engine.inspect(resolveModelDir(dir));
      const rssDelta = process.memoryUsage().rss - before;
      if (values.json) {
        io.out(JSON.stringify({ ...info, loadedRssBytes: rssDelta }, null, 2));
        return 0;
      }
      io.out(`${info.label} (${info.name})`);
      io.out(`  path:        ${info.path}`);
      io.out(`  family:      ${info.family} (${info.pipelineClass})`);
      io.out(`  weights:     ${mib(info.weightBytes)} on disk; ${mib(rssDelta)} more resident after loading`);
      io.out(`  unet:        ${info.unetInChannels} input channels; inpainting by ${info.inpainting}`);
      io.out(`  vae:         scaling ${info.vaeScalingFactor}; img2img ${info.canImg2Img ? 'yes' : 'no (no vae_encoder)'}`);
      io.out(`  provider:    ${info.providerLabel}`);
      for (const n of info.notices) io.out(`  notice:      ${n}`);
      for (const p of info.parts) {
        io.out(`  ${p.part} inputs:  ${p.inputs.join('; ')}`);
        io.out(`  ${p.part} outputs: ${p.outputs.join('; ')}`);
      }
      if (info.recommended) io.out(`  recommended: ${JSON.stringify(info.recommended)}`);
      return 0;
    } finally {
      await engine.release();
    }
  },
};
