import { readFile } from 'node:fs/promises';
import { SCHEDULER_NAMES } from '../../contract/generation.js';
import { PROVIDER_PREFERENCES, type ProviderPreference } from '../../core/engine/onnx/providers.js';
import { readPngMetadata } from '../../core/export/pngMetadata.js';
import { readRgba } from '../../core/image/io.js';
import type { RgbaImage } from '../../core/image/types.js';
import { defaultModelRoots } from '../../core/jobs/createStudio.js';
import { localGeneration } from '../../core/jobs/localEngine.js';
import { InstalledModels } from '../../core/jobs/installedModels.js';
import { readModelFolder } from '../../core/models/modelFolder.js';
import { resolveDataDir } from '../../core/store/dataDir.js';
import { openHistoryStore, type HistoryStore } from '../../core/store/historyStore.js';
import { modelFingerprint } from '../../core/store/modelFingerprint.js';
import { HISTORY_STATUSES, HistoryError, type GenerationRecord, type HistoryStatus } from '../../core/store/types.js';
import { intOption, parse } from './args.js';
import { CliError, type CliCommand, type CliIo } from './command.js';
import { checkImageOutput, outputPathFor, writeFileAtomic, writeImage } from './output.js';

const USAGE = `npm run cli -- history <subcommand> [options] [--data DIR]
  list [--limit N] [--model M] [--favourites] [--status S] [--cursor C] [--json]
                         newest first; prints the next page's --cursor when there is one
  search TEXT [same options as list]
                         prompts containing words that start with TEXT's words ("wood" finds "wooden")
  show ID [--json]       everything about one entry (ID may be a unique prefix, 4+ characters)
  rerun ID [--out FILE] [--model DIR] [--provider P]
                         runs the entry again with the same settings and seed, records it as a new
                         entry branched from ID, and says whether the pixels came out identical
  import FILE.png …      adds PNGs carrying generation metadata (Atelier or A1111 "parameters")
  favourite ID [--off]   marks (or unmarks) an entry as a favourite
  delete ID              deletes an entry and the image files nothing else uses
  --data DIR             history folder (default: $ATELIER_DATA_DIR, else the platform's app data folder)`;

const LIST_OPTIONS = {
  data: { type: 'string' },
  limit: { type: 'string' },
  model: { type: 'string' },
  favourites: { type: 'boolean' },
  status: { type: 'string' },
  cursor: { type: 'string' },
  json: { type: 'boolean' },
} as const;

export const historyCommand: CliCommand = {
  name: 'history',
  summary: 'list, search, show, re-run and import past generations',
  usage: USAGE,
  async run(args, io) {
    const [sub, ...rest] = args;
    try {
      switch (sub) {
        case 'list':
          return await list(rest, io, false);
        case 'search':
          return await list(rest, io, true);
        case 'show':
          return await show(rest, io);
        case 'rerun':
          return await rerun(rest, io);
        case 'import':
          return await importFiles(rest, io);
        case 'favourite':
          return await favourite(rest, io);
        case 'delete':
          return await remove(rest, io);
        default:
          throw new CliError(`unknown history subcommand "${sub ?? ''}" (try: list, search, show, rerun, import, favourite, delete)`);
      }
    } catch (error) {
      // The store's messages are written for users; the CLI prints them as its one error line.
      if (error instanceof HistoryError) throw new CliError(error.message);
      throw error;
    }
  },
};

/** Opens the history, prints what the user must know about it, and always closes it. */
async function withStore<T>(dataFlag: string | undefined, io: CliIo, fn: (store: HistoryStore, dataDir: string) => Promise<T>): Promise<T> {
  const dataDir = resolveDataDir(dataFlag);
  const store = openHistoryStore(dataDir);
  for (const notice of store.notices) io.err(`notice: ${notice}`);
  try {
    return await fn(store, dataDir);
  } finally {
    store.close();
  }
}

async function list(args: string[], io: CliIo, search: boolean): Promise<number> {
  const { values: v, positionals } = parse(args, LIST_OPTIONS, true);
  let query: string | undefined;
  if (search) {
    if (positionals.length === 0) throw new CliError('search needs TEXT (e.g. history search "wooden boat")');
    query = positionals.join(' ');
  } else if (positionals.length > 0) {
    throw new CliError(`list takes no words (got "${positionals[0]}"); use history search TEXT`);
  }
  const limit = intOption(v.limit, 'limit', 20);
  if (limit < 1 || limit > 500) throw new CliError('--limit must be 1 to 500');
  const status = v.status as HistoryStatus | undefined;
  if (status !== undefined && !HISTORY_STATUSES.includes(status)) throw new CliError(`--status must be one of ${HISTORY_STATUSES.join(', ')}`);
  return withStore(v.data, io, async (store) => {
    const filter = { query, model: v.model, favouritesOnly: v.favourites ?? false, status };
    const page = store.list({ ...filter, limit, cursor: v.cursor });
    if (v.json) {
      io.out(JSON.stringify({ entries: page.entries, nextCursor: page.nextCursor, total: store.count(filter) }, null, 2));
      return 0;
    }
    if (page.entries.length === 0) {
      io.out(query !== undefined ? `no entries match "${query}"` : 'no entries');
      return 0;
    }
    for (const e of page.entries) io.out(summaryLine(e));
    const total = store.count(filter);
    io.out(`${page.entries.length} of ${total}${page.nextCursor ? `; next page: --cursor ${page.nextCursor}` : ''}`);
    return 0;
  });
}

function summaryLine(e: GenerationRecord): string {
  const when = new Date(e.createdAt).toISOString().slice(0, 16).replace('T', ' ');
  const prompt = e.settings.prompt.replace(/\s+/g, ' ').trim();
  const shown = prompt.length > 60 ? `${prompt.slice(0, 59)}…` : prompt || '(no prompt)';
  return `${e.id.slice(0, 8)}  ${when}  ${e.status.padEnd(11)} ${e.favourite ? '★' : ' '} ${e.model.name}  seed ${e.settings.seed}  ${shown}`;
}

/** An exact id, or a unique prefix of at least 4 characters. */
function resolveEntry(store: HistoryStore, id: string | undefined): GenerationRecord {
  if (!id) throw new CliError('an entry ID is required (see: history list)');
  const exact = store.get(id);
  if (exact) return exact;
  if (id.length < 4) throw new CliError(`no history entry "${id}" (give at least 4 characters of its id)`);
  const found = store.findByIdPrefix(id, 2);
  if (found.length === 0) throw new CliError(`no history entry "${id}"`);
  if (found.length > 1) throw new CliError(`"${id}" matches more than one entry; give more of the id`);
  return found[0];
}

async function show(args: string[], io: CliIo): Promise<number> {
  const { values: v, positionals } = parse(args, { data: { type: 'string' }, json: { type: 'boolean' } }, true);
  return withStore(v.data, io, async (store) => {
    const e = resolveEntry(store, positionals[0]);
    if (v.json) {
      io.out(JSON.stringify({ ...e, imagePaths: e.images.map((i) => store.images.path(i.imageId)) }, null, 2));
      return 0;
    }
    const s = e.settings;
    const lines: [string, string | undefined][] = [
      ['id', e.id],
      ['created', new Date(e.createdAt).toISOString()],
      ['status', e.failureReason && e.status !== 'done' ? `${e.status}: ${e.failureReason}` : e.status],
      ['origin', e.origin],
      ['model', e.model.hash ? `${e.model.name} (${e.model.hash})` : e.model.name],
      ['provider', e.provider],
      [
        'settings',
        `${s.mode} ${s.width}×${s.height}, ${s.steps} steps, ${s.scheduler}, guidance ${s.guidance}, seed ${s.seed}, batch ${s.batch}` +
          (s.mode !== 'txt2img' ? `, strength ${s.strength}` : '') + (s.mode === 'inpaint' ? `, feather ${s.maskFeather}` : ''),
      ],
      ['prompt', s.prompt],
      ['negative', s.negativePrompt || undefined],
      ['timings', e.timings ? formatTimings(e.timings) : undefined],
      ['init image', e.initImageId ? store.images.path(e.initImageId) : undefined],
      ['mask', e.maskImageId ? store.images.path(e.maskImageId) : undefined],
      ['parent', e.parentId],
      ['document', e.documentId],
      ['favourite', e.favourite ? 'yes' : undefined],
    ];
    for (const [k, val] of lines) if (val !== undefined) io.out(`${`${k}:`.padEnd(12)}${val}`);
    for (const img of e.images) io.out(`${'image:'.padEnd(12)}${store.images.path(img.imageId)}  seed ${img.seed}`);
    return 0;
  });
}

function formatTimings(t: { loadMs: number; encodeMs: number; denoiseMs: number; decodeMs: number; totalMs: number }): string {
  const ms = (n: number) => `${n.toFixed(0)} ms`;
  return `load ${ms(t.loadMs)}, encode ${ms(t.encodeMs)}, denoise ${ms(t.denoiseMs)}, decode ${ms(t.decodeMs)}, total ${ms(t.totalMs)}`;
}

async function rerun(args: string[], io: CliIo): Promise<number> {
  const { values: v, positionals } = parse(
    args,
    { data: { type: 'string' }, out: { type: 'string' }, model: { type: 'string' }, provider: { type: 'string' }, quiet: { type: 'boolean' } },
    true,
  );
  if (v.out) checkImageOutput(v.out);
  if (v.provider !== undefined && !PROVIDER_PREFERENCES.includes(v.provider as ProviderPreference)) throw new CliError(`--provider must be one of ${PROVIDER_PREFERENCES.join(', ')}`);
  return withStore(v.data, io, async (store, dataDir) => {
    const original = resolveEntry(store, positionals[0]);
    const s = original.settings;
    if (!SCHEDULER_NAMES.includes(s.scheduler)) throw new CliError(`entry ${original.id.slice(0, 8)} uses an unknown scheduler "${s.scheduler}"`);
    if (s.mode !== 'txt2img' && !original.initImageId) {
      throw new CliError(`entry ${original.id.slice(0, 8)} is ${s.mode} but its input image was not kept, so it cannot be re-run exactly`);
    }
    if (s.mode === 'inpaint' && !original.maskImageId) {
      throw new CliError(`entry ${original.id.slice(0, 8)} is inpaint but its mask was not kept, so it cannot be re-run exactly`);
    }
    const modelDir = v.model ?? new InstalledModels(defaultModelRoots(dataDir)).dirOf(original.model.name);
    if (!modelDir) throw new CliError(`model "${original.model.name}" is not installed here; pass --model DIR`);
    const modelName = readModelFolder(modelDir).name;
    const modelHash = await modelFingerprint(modelDir);
    if (modelName !== original.model.name) io.err(`note: the original used model "${original.model.name}", this run uses "${modelName}"`);
    else if (original.model.hash && original.model.hash !== modelHash) {
      io.err(`note: the files of model "${modelName}" changed since the original run (${original.model.hash} -> ${modelHash}); pixels may differ`);
    }
    // The one generation service, on an engine built from settings.json (safety checker, prompt filter) as in the app.
    const local = localGeneration(dataDir, { provider: v.provider, history: store });
    try {
      for (const notice of local.notices) io.err(`note: ${notice}`);
      const out = await local.service.run({
        settings: s, model: { name: modelName, dir: modelDir }, parentId: original.id, documentId: original.documentId,
        initImage: original.initImageId ? { imageId: original.initImageId } : undefined,
        mask: original.maskImageId ? { imageId: original.maskImageId } : undefined,
      });
      if (!v.quiet) io.out(`new entry ${out.entry!.id} (re-run of ${original.id.slice(0, 8)})`);
      for (let i = 0; i < out.images.length; i++) {
        const img = out.images[i];
        const before = original.images[i];
        const verdict = before ? await compareWithStored(store, before.imageId, img.image) : 'no original image to compare';
        if (!v.quiet) io.out(`${store.images.path(img.imageId!)}  seed ${img.seed}  ${verdict}`);
        if (v.out) {
          const path = outputPathFor(v.out, i, out.images.length);
          if (/\.png$/i.test(path)) await writeFileAtomic(path, img.png);
          else await writeImage(path, img.image, readPngMetadata(img.png).atelier!);
          if (!v.quiet) io.out(`wrote ${path}`);
        }
      }
      if (!v.quiet) io.out(`${out.model.name} on ${out.provider}: ${formatTimings(out.timings)}`);
      return 0;
    } finally {
      await local.close();
    }
  });
}

/** Exact re-run means the same pixels: compares with the stored original, channel by channel. */
async function compareWithStored(store: HistoryStore, imageId: string, image: RgbaImage): Promise<string> {
  if (!store.images.has(imageId)) return 'original image file is missing';
  const old = await readRgba(store.images.path(imageId), 'original image');
  if (old.width !== image.width || old.height !== image.height) return `differs from the original (size ${old.width}×${old.height})`;
  let maxDiff = 0;
  let differing = 0;
  for (let i = 0; i < old.data.length; i++) {
    const d = Math.abs(old.data[i] - image.data[i]);
    if (d > 0) differing++;
    if (d > maxDiff) maxDiff = d;
  }
  if (maxDiff === 0) return 'identical to the original';
  return `differs from the original (${((differing / old.data.length) * 100).toFixed(2)}% of values, at most by ${maxDiff})`;
}

async function importFiles(args: string[], io: CliIo): Promise<number> {
  const { values: v, positionals: files } = parse(args, { data: { type: 'string' } }, true);
  if (files.length === 0) throw new CliError('import needs at least one FILE.png');
  return withStore(v.data, io, async (store) => {
    let failed = 0;
    for (const file of files) {
      try {
        const bytes = await readFile(file).catch((e: NodeJS.ErrnoException) => {
          throw new CliError(e.code === 'ENOENT' ? 'no such file' : `cannot read it (${e.code ?? e.message})`);
        });
        const { entry, created, defaulted } = await store.importPng(bytes);
        const note = defaulted.length > 0 ? `  (not in the file, defaulted: ${defaulted.join(', ')})` : '';
        io.out(`${created ? 'imported' : 'already in history'}: ${file} -> ${summaryLine(entry)}${note}`);
      } catch (error) {
        if (!(error instanceof CliError || error instanceof HistoryError)) throw error;
        if (files.length === 1) throw new CliError(`${file}: ${error.message}`);
        io.err(`error: ${file}: ${error.message}`);
        failed++;
      }
    }
    return failed > 0 ? 2 : 0;
  });
}

async function favourite(args: string[], io: CliIo): Promise<number> {
  const { values: v, positionals } = parse(args, { data: { type: 'string' }, off: { type: 'boolean' } }, true);
  return withStore(v.data, io, async (store) => {
    const e = store.setFavourite(resolveEntry(store, positionals[0]).id, !v.off);
    io.out(summaryLine(e));
    return 0;
  });
}

async function remove(args: string[], io: CliIo): Promise<number> {
  const { values: v, positionals } = parse(args, { data: { type: 'string' } }, true);
  return withStore(v.data, io, async (store) => {
    const e = resolveEntry(store, positionals[0]);
    store.delete(e.id);
    io.out(`deleted ${e.id}`);
    return 0;
  });
}
