/**
 * Child process for killDuringWork.test.ts: saves a document through the backend's DocumentLibrary (the
 * code serve's documents:save and documents:autosave run) over and over, until killed with SIGKILL.
 * Run: node --import tsx docSaver.testutil.ts DATA_DIR
 */
import sharp from 'sharp';
import { DocumentLibrary } from '../../core/jobs/documentLibrary.js';
import { openHistoryStore } from '../../core/store/historyStore.js';

const [dataDir] = process.argv.slice(2);
const store = openHistoryStore(dataDir);
const library = new DocumentLibrary(dataDir);
// A big noisy layer so each save takes long enough to be killed in the middle of one.
const noise = Buffer.alloc(1024 * 1024 * 3);
for (let i = 0; i < noise.length; i++) noise[i] = (i * 2654435761) >>> 24;
const imageId = await store.images.put(await sharp(noise, { raw: { width: 1024, height: 1024, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer());
const layer = { id: 'layer-1', kind: 'raster', name: 'noise', imageId, x: 0, y: 0, width: 1024, height: 1024, opacity: 1, visible: true, blendMode: 'normal' };
const doc = {
  type: 'atelier-document', version: 1, id: 'd1', name: 'killed', width: 1024, height: 1024,
  generationFrame: { x: 0, y: 0, width: 512, height: 512 }, layers: [layer], historyEntryIds: [],
};
for (let n = 0; ; n++) {
  await library.save('killed', { ...doc, name: `killed ${n}` } as never);
  await library.autosave({ ...doc, name: `autosaved ${n}` } as never);
  if (n === 0) process.stdout.write('SAVED\n');
}
