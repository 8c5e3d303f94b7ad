import { basename } from 'node:path';
import { DocumentIoError, OPEN_EXTENSIONS, openDocument, saveDocumentAs, SAVE_EXTENSIONS } from '../../core/document/documentIO.js';
import { intOption, parse } from './args.js';
import { CliError, type CliCommand } from './command.js';

export const exportCommand: CliCommand = {
  name: 'export',
  summary: 'convert a document: .atelier/.psd/.ora/.png/.jpg/.webp to any of them',
  usage: `npm run cli -- export DOC --out FILE [--quality Q] [--frame] [--json]
  DOC        ${OPEN_EXTENSIONS.join(' ')} (PSD and ORA are imported; a flat image becomes one layer)
  --out      ${SAVE_EXTENSIONS.join(' ')}: the format follows the extension
             .psd: layers, groups, masks as layer masks, composite, parameters in XMP
             .ora: layers and groups; masks are applied to the layer's alpha (ORA has no masks)
             .png/.jpg/.webp: the flattened picture, with the top generated layer's parameters
  --quality  1..100 for .jpg/.webp (default 92)
  --frame    flat formats: only the generation frame, not the whole canvas
  --json     print {"out", "format", "bytes", "layers", "width", "height", "warnings"}`,
  async run(args, io) {
    const { values, positionals } = parse(
      args,
      { out: { type: 'string', short: 'o' }, quality: { type: 'string' }, frame: { type: 'boolean' }, json: { type: 'boolean' } },
      true,
    );
    if (positionals.length !== 1) throw new CliError('give exactly one document to export (e.g. export boat.atelier --out boat.psd)');
    if (!values.out) throw new CliError('--out FILE is required (its extension picks the format)');
    const quality = values.quality === undefined ? undefined : intOption(values.quality, 'quality', 92);
    if (quality !== undefined && (quality < 1 || quality > 100)) throw new CliError(`--quality must be 1..100 (got ${quality})`);
    const input = positionals[0]!;
    const out = values.out;
    try {
      const opened = await openDocument(input);
      for (const warning of opened.warnings) io.err(`warning: ${warning}`);
      const bytes = await saveDocumentAs(out, opened.document, opened.images, {
        ...(quality !== undefined ? { quality } : {}),
        frameOnly: values.frame === true,
        appVersion: process.env['npm_package_version'],
      });
      const { width, height, layers } = opened.document;
      if (values.json) {
        const format = out.slice(out.lastIndexOf('.') + 1).toLowerCase();
        io.out(JSON.stringify({ out, format, bytes, layers: layers.length, width, height, warnings: opened.warnings }));
      } else {
        io.out(`wrote ${basename(out)}: ${width}x${height}, ${layers.length} layer${layers.length === 1 ? '' : 's'}, ${(bytes / 1024).toFixed(1)} KiB`);
      }
      return 0;
    } catch (error) {
      if (error instanceof DocumentIoError) throw new CliError(error.message);
      throw error;
    }
  },
};
