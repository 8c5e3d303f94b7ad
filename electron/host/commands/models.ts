import { Engine } from '../../core/engine/engine.js';
import { PROVIDER_PREFERENCES, type ProviderPreference } from '../../core/engine/onnx/providers.js';
import { CatalogError, defaultCatalogPath, findEntry, loadCatalog, HUGGING_FACE } from '../../core/models/modelCatalog.js';
import { formatBytes } from '../../shared/format.js';
import { discardPull, pullModel, PullError, type PullProgress } from '../../core/models/downloader.js';
import { catalogStatus, forgetImported, importModelFolder, installedModels, LibraryError, pullTargetDir, readRegistry } from '../../core/models/modelLibrary.js';
import { formatParameters } from '../../core/models/parameterCount.js';
import { resolveDataDir } from '../../core/store/dataDir.js';
import { parse } from './args.js';
import { CliError, type CliCommand, type CliIo } from './command.js';
import { resolveModelDir } from './generate.js';
import { standin } from './modelsStandin.js';
import { convertUpscalerJsCommand } from './modelsConvertUpscalerJs.js';

function mib(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MiB`;
}

const USAGE = `npm run cli -- models <subcommand> …
  inspect [DIR] [--json] [--provider P]
      Loads the model and prints what the engine sees (family, parts, dtypes, channels, provider),
      or exactly what is wrong with the folder. DIR defaults to the embedded demo model.
  list [--json]
      Installed models (pulled, imported, bundled) and the catalogue, with what is installed or paused.
  pull NAME [--as FOLDER] [--discard]
      Downloads a catalogue model into the models folder: resumes a paused or interrupted pull, checks
      every file's length and published SHA-256, and places the folder only when all of it is there.
      Ctrl+C pauses (run the same command to resume); --discard throws a paused download away.
      Proxies: HTTPS_PROXY / HTTP_PROXY / NO_PROXY. Gated repositories: HF_TOKEN.
  import DIR [--provider P] [--no-load]
      Checks a model folder you already have (layout, then a session load) and lists it where it is.
  forget ID|DIR
      Removes an imported folder from the list (its files are not touched).
  standin sd15|sd-turbo|sdxl [--fp16] --out DIR
      Writes an architecture-exact stand-in (published layer shapes and parameter counts, optimum's
      ONNX layout, seeded random weights as external data) for memory and speed checks without a
      download: about 4.3 GB (SD 1.5 fp32) to 14 GB (SDXL fp32); --fp16 halves it.
  convert-upscalerjs PACKAGE_DIR [--scale 4] [--fp16] --out DIR
      Converts an UpscalerJS ESRGAN package (npm pack @upscalerjs/esrgan-thick, MIT; unpack the .tgz)
      to an ONNX upscaler folder for \`upscale --model DIR\`.
Common options:
  --data DIR        data folder (default: $ATELIER_DATA_DIR, else the platform's app data folder)
  --models-dir DIR  where pulls go (default: $ATELIER_MODELS_DIR, else <data>/models)
  --catalog FILE    another catalogue file (default: native-models/catalog.json)
  --base-url URL    a mirror with Hugging Face's URL layout (default: $ATELIER_MODELS_BASE_URL, else ${HUGGING_FACE})`;

const OPTIONS = {
  json: { type: 'boolean' },
  provider: { type: 'string' },
  data: { type: 'string' },
  'models-dir': { type: 'string' },
  catalog: { type: 'string' },
  'base-url': { type: 'string' },
  as: { type: 'string' },
  discard: { type: 'boolean' },
  'no-load': { type: 'boolean' },
  fp16: { type: 'boolean' },
  out: { type: 'string' },
  tiny: { type: 'boolean' },
  scale: { type: 'string' },
} as const;

function providerOf(value: string | undefined): ProviderPreference {
  const provider = (value ?? 'auto') as ProviderPreference;
  if (!PROVIDER_PREFERENCES.includes(provider)) throw new CliError(`--provider must be one of ${PROVIDER_PREFERENCES.join(', ')}`);
  return provider;
}

/** The library's own errors are already one line for the user. */
async function userErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof PullError) throw new CliError(e.message, e.code === 'cancelled' ? 130 : 2);
    if (e instanceof CatalogError || e instanceof LibraryError) throw new CliError(e.message);
    throw e;
  }
}

function duration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds)) return '--:--';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

export function progressLine(p: PullProgress): string {
  const pct = p.totalBytes > 0 ? Math.min(100, (100 * p.doneBytes) / p.totalBytes) : 0;
  return `${pct.toFixed(1).padStart(5)}%  ${formatBytes(p.doneBytes, 'precise')} / ${formatBytes(p.totalBytes, 'precise')}  ${formatBytes(Math.round(p.bytesPerSecond), 'precise')}/s  ${duration(p.etaSeconds)} left  ${p.file ?? ''}`;
}

async function inspect(dir: string | undefined, values: { json?: boolean; provider?: string }, io: CliIo): Promise<number> {
  const engine = new Engine({ provider: providerOf(values.provider) });
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
    for (const p of info.parameters) {
      const types = Object.keys(p.byType).join('+');
      io.out(`  ${`${p.part}:`.padEnd(13)}${formatParameters(p.parameters)} parameters (${p.parameters.toLocaleString('en-US')}, ${types})`);
    }
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
}

type Values = ReturnType<typeof parse<typeof OPTIONS>>['values'];

function modelsDirOf(v: Values, dataDir: string): string {
  return v['models-dir'] ?? pullTargetDir(dataDir);
}

async function pull(name: string | undefined, v: Values, io: CliIo): Promise<number> {
  if (!name) throw new CliError('models pull needs a catalogue name (see: npm run cli -- models list)');
  const catalog = loadCatalog(v.catalog ?? defaultCatalogPath());
  const entry = findEntry(catalog, name);
  const dataDir = resolveDataDir(v.data);
  const modelsDir = modelsDirOf(v, dataDir);
  if (v.discard) {
    await discardPull(modelsDir, v.as ?? entry.id);
    io.out(`discarded the paused download of ${entry.id}`);
    return 0;
  }
  const baseUrl = v['base-url'] ?? process.env['ATELIER_MODELS_BASE_URL'] ?? HUGGING_FACE;
  if (entry.license.nonCommercial) io.err(`note: ${entry.id} is licensed ${entry.license.id} (non-commercial use): ${entry.license.url}`);
  const tty = process.stderr.isTTY === true;
  const abort = new AbortController();
  const onSigint = () => abort.abort();
  process.once('SIGINT', onSigint);
  try {
    const result = await pullModel(entry, {
      modelsDir,
      baseUrl,
      signal: abort.signal,
      folderName: v.as,
      progressIntervalMs: 500,
      onProgress: tty ? (p) => process.stderr.write(`\r${progressLine(p).padEnd(110).slice(0, 110)}`) : undefined,
    });
    if (tty) process.stderr.write('\n');
    io.out(`${entry.id}: ${result.files} files, ${formatBytes(result.bytes, 'precise')} → ${result.dir}`);
    if (result.resumed.length) io.out(`  resumed: ${result.resumed.join(', ')}`);
    if (result.restarted.length) io.out(`  restarted (server sent whole files): ${result.restarted.join(', ')}`);
    if (result.skipped.length) io.out(`  not on the server (optional): ${result.skipped.join(', ')}`);
    return 0;
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
}

async function importDir(dir: string | undefined, v: Values, io: CliIo): Promise<number> {
  if (!dir) throw new CliError('models import needs a model folder');
  const dataDir = resolveDataDir(v.data);
  const engine = v['no-load'] ? undefined : new Engine({ provider: providerOf(v.provider) });
  try {
    const r = await importModelFolder(dataDir, dir, engine ? (d) => engine.inspect(d) : undefined);
    io.out(r.alreadyListed ? `${r.dir} is already listed as ${r.id}` : `imported ${r.dir} as ${r.id} (files stay where they are)`);
    return 0;
  } finally {
    await engine?.release();
  }
}

function list(v: Values, io: CliIo): number {
  const dataDir = resolveDataDir(v.data);
  const catalog = loadCatalog(v.catalog ?? defaultCatalogPath());
  const installed = installedModels(dataDir);
  const status = catalogStatus(catalog, dataDir, installed);
  const registryProblem = readRegistry(dataDir).problem;
  if (v.json) {
    io.out(JSON.stringify({
      installed,
      catalogue: status.map((s) => ({
        id: s.entry.id,
        label: s.entry.label,
        family: s.entry.family,
        kind: s.entry.kind,
        license: s.entry.license.id,
        nonCommercial: s.entry.license.nonCommercial,
        approxBytes: s.approxBytes,
        installedDir: s.installedDir ?? null,
        partialBytes: s.partialBytes,
      })),
      ...(registryProblem ? { registryProblem } : {}),
    }, null, 2));
    return 0;
  }
  const w = Math.max(8, ...installed.map((m) => m.id.length), ...status.map((s) => s.entry.id.length));
  io.out('Installed:');
  if (!installed.length) io.out('  (none)');
  for (const m of installed) {
    io.out(`  ${m.id.padEnd(w)}  ${m.family.padEnd(4)}  ${m.origin.padEnd(8)}  ${m.dir}${m.problem ? `  [${m.problem}]` : ''}`);
  }
  if (registryProblem) io.out(`  warning: ${registryProblem}`);
  io.out(`Catalogue (npm run cli -- models pull NAME → ${modelsDirOf(v, dataDir)}):`);
  for (const s of status) {
    const state = s.installedDir ? 'installed' : s.partialBytes > 0 ? `paused at ${formatBytes(s.partialBytes, 'precise')}` : 'not installed';
    const licence = `${s.entry.license.id}${s.entry.license.nonCommercial ? ' (non-commercial)' : ''}`;
    io.out(`  ${s.entry.id.padEnd(w)}  ${(s.entry.family ?? `×${s.entry.upscaler?.scale ?? "?"}`).padEnd(4)}  ~${formatBytes(s.approxBytes, 'precise').padEnd(9)}  ${state.padEnd(18)}  ${licence}  ${s.entry.label}`);
  }
  return 0;
}

export const modelsCommand: CliCommand = {
  name: 'models',
  summary: 'list, pull, import or inspect models',
  usage: USAGE,
  async run(args, io) {
    const { values, positionals } = parse(args, OPTIONS, true);
    const [sub, arg] = positionals;
    return userErrors(async () => {
      switch (sub) {
        case 'inspect':
          return inspect(arg, values, io);
        case 'list':
          return list(values, io);
        case 'pull':
          return pull(arg, values, io);
        case 'import':
          return importDir(arg, values, io);
        case 'standin':
          return standin(arg, values, io);
        case 'convert-upscalerjs':
          return convertUpscalerJsCommand(arg, values, io);
        case 'forget': {
          if (!arg) throw new CliError('models forget needs an id or a folder');
          const dataDir = resolveDataDir(values.data);
          if (!forgetImported(dataDir, arg)) throw new CliError(`"${arg}" is not an imported model (see: npm run cli -- models list)`);
          io.out(`forgot ${arg} (its files were not touched)`);
          return 0;
        }
        default:
          throw new CliError(`unknown models subcommand "${sub ?? ''}" (try: models list | pull NAME | import DIR | inspect DIR | forget ID | standin FAMILY --out DIR)`);
      }
    });
  },
};
