/**
 * Child process for crashSafety.test.ts: opens the history, leaves one job running, commits some
 * finished ones, prints what it did, then waits to be killed with SIGKILL mid-job.
 * Run: node --import tsx crashWriter.testutil.ts DATA_DIR DONE_COUNT
 */
import sharp from 'sharp';
import { openHistoryStore } from './historyStore.js';

const [dataDir, doneCount] = process.argv.slice(2);
const store = openHistoryStore(dataDir);
const settings = (prompt: string, seed: number) => ({
  mode: 'txt2img' as const, prompt, width: 64, height: 64, steps: 4, guidance: 1, scheduler: 'euler' as const, seed,
});

const running = store.createEntry({ settings: settings('still running when killed', 0), model: { name: 'm' }, status: 'running' });
const queued = store.createEntry({ settings: settings('queued behind it', 1), model: { name: 'm' } });
const done: string[] = [];
for (let i = 0; i < Number(doneCount); i++) {
  const e = store.createEntry({ settings: settings(`finished ${i}`, i), model: { name: 'm' }, status: 'running' });
  const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: i, g: 0, b: 0 } } }).png().toBuffer();
  const imageId = await store.images.put(png);
  store.completeEntry(e.id, { images: [{ imageId, seed: i }], provider: 'cpu' });
  done.push(e.id);
}
process.stdout.write(`${JSON.stringify({ running: running.id, queued: queued.id, done })}\nREADY\n`);
// Stay alive, mid-job, until the test kills us.
setInterval(() => undefined, 1000);
