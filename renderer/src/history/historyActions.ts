import type { HistoryEntry } from '../../../electron/contract/api.js';
import type { GenerationMode } from '../../../electron/contract/generation.js';
import type { GenerationFrame } from '../../../electron/contract/document.js';
import { api, errorMessage } from '../api/api.js';
import type { DocCommand } from '../document/commands.js';
import { layerNameFromPrompt, rasterLayer } from '../document/newDocument.js';
import { setFrameCommand } from '../document/documentGrowth.js';
import { useStore } from '../state/store.js';
import { imagesInUse } from './imagesInUse.js';
import { panelFromSettings } from '../generate/panelSettings.js';
import { controlRefill } from '../control/controlRefill.js';

/**
 * What the History panel's buttons do. Edits to the document are one undo step each; calls to the core
 * report failures as one line in the panel (the `report` callback) and never throw.
 */
export type Report = (msg: { notice?: string; error?: string }) => void;

/** The entry's image as a new layer at the frame, which takes the image's size (one undo step). */
function placeCommands(e: HistoryEntry, name: string): { commands: DocCommand[]; layerId: string } {
  const f = useStore.getState().undoHistory.doc.generationFrame;
  const frame: GenerationFrame = { x: f.x, y: f.y, width: e.width, height: e.height };
  const layer = rasterLayer(name, e.imageId, frame, e.settings ? { source: { historyEntryId: e.id, model: e.model, settings: e.settings } } : {});
  const commands: DocCommand[] = [{ type: 'addLayer', layer, index: useStore.getState().undoHistory.doc.layers.length }];
  if (f.width !== e.width || f.height !== e.height) commands.push(setFrameCommand(useStore.getState().undoHistory.doc, frame));
  return { commands, layerId: layer.id };
}

export function addToCanvas(e: HistoryEntry): void {
  const s = useStore.getState();
  const { commands, layerId } = placeCommands(e, layerNameFromPrompt(e.prompt, 'History'));
  s.perform({ type: 'batch', label: 'Add from history', commands }, 'Add from history');
  s.selectLayer(layerId);
}

/** Places the image at the frame and turns on "Use canvas as init", so Generate runs img2img from it. */
export function useAsInitImage(e: HistoryEntry, report: Report): void {
  const s = useStore.getState();
  const { commands, layerId } = placeCommands(e, `Init: ${layerNameFromPrompt(e.prompt, 'image')}`);
  s.perform({ type: 'batch', label: 'Use as init image', commands }, 'Use as init image');
  s.selectLayer(layerId);
  s.setGenerate({ useCanvasAsInit: true, error: null });
  report({ notice: 'Placed as the init image: Generate now runs img2img from it.' });
}

/** Fills the prompt panel with the entry's settings (seed locked, so Generate repeats it) and sizes the frame. */
export function useSettings(e: HistoryEntry, report: Report): void {
  const s = useStore.getState();
  const st = e.settings;
  if (!st) {
    s.setSettings({ prompt: e.prompt, seed: e.seed });
    s.setGenerate({ seedLocked: true });
    report({ notice: 'Prompt and seed filled in (this entry carries no other settings).' });
    return;
  }
  const installed = e.model !== undefined && s.models.some((m) => m.id === e.model);
  s.setSettings({ ...panelFromSettings(st), seed: e.seed, batch: 1, loras: st.loras ?? [] });
  s.setGenerate({ seedLocked: true, error: null, ...(installed ? { modelId: e.model } : {}) });
  const doc = s.undoHistory.doc;
  const f = doc.generationFrame;
  // The frame and the controls' map layers are one undo step; the Control section's rows follow the entry.
  const refill = controlRefill(st.controls ?? [], doc, { x: f.x, y: f.y, width: st.width, height: st.height });
  const commands = [...(f.width !== st.width || f.height !== st.height ? [setFrameCommand(doc, { ...f, width: st.width, height: st.height })] : []), ...refill.commands];
  if (commands.length === 1) s.perform(commands[0]!, 'Use settings');
  else if (commands.length > 1) s.perform({ type: 'batch', label: 'Use settings', commands }, 'Use settings');
  s.replaceControls(refill.rows);
  const controls = refill.rows.length > 0 ? ` Its ${refill.rows.length === 1 ? 'control map is' : `${refill.rows.length} control maps are`} back as Control layers.` : '';
  report(installed || !e.model ? { notice: `Settings filled in from the history entry.${controls}` } : { notice: `Settings filled in; model "${e.model}" is not installed, so the current model stays.${controls}` });
}

export async function toggleFavourite(e: HistoryEntry, report: Report): Promise<void> {
  try {
    // This image only: the other images of its batch keep their own mark.
    await api.setHistoryFavourite(e.id, !e.favourite, e.imageId);
    await useStore.getState().refreshHistory();
  } catch (err) {
    report({ error: errorMessage(err) });
  }
}

/** After the user confirmed: removes this image (the other seeds of its batch stay); files the open document still uses stay. */
export async function deleteEntry(e: HistoryEntry, report: Report): Promise<void> {
  try {
    await api.deleteHistoryEntry({ id: e.id, imageId: e.imageId, keepImageIds: imagesInUse(useStore.getState().undoHistory) });
    await useStore.getState().refreshHistory();
    report({ notice: `Deleted seed ${e.seed} from History.` });
  } catch (err) {
    report({ error: errorMessage(err) });
  }
}

/**
 * Re-runs this one image exactly (its settings, seed, model, input pixels; batch 1) as a new entry in
 * this document's history. It runs like Generate: progress and Cancel in the status bar, and the
 * result lands on the canvas as a new layer at the frame (one undo step).
 */
export async function rerun(e: HistoryEntry, report: Report): Promise<void> {
  const s = useStore.getState();
  if (s.job) return report({ error: 'Another generation is running; re-run when it has finished.' });
  const doc = s.undoHistory.doc;
  const f = doc.generationFrame;
  s.setGenerate({ error: null, notice: null });
  s.setJob({
    jobId: null, documentId: doc.id, mode: (e.settings?.mode ?? e.mode) as GenerationMode, frame: { x: f.x, y: f.y, width: e.width, height: e.height },
    prompt: e.prompt, ...(e.settings ? { settings: e.settings } : {}), done: 0, total: e.settings?.steps ?? 0, cancelling: false,
  });
  try {
    const { jobId } = await api.rerunHistoryEntry({ id: e.id, imageId: e.imageId, documentId: doc.id });
    // Cancel pressed before the job had an id: cancel it now.
    if (useStore.getState().job?.cancelling) void api.cancelGeneration(jobId);
    useStore.getState().updateJob({ jobId });
    report({ notice: `Re-running seed ${e.seed}…` });
  } catch (err) {
    useStore.getState().setJob(null);
    report({ error: errorMessage(err) });
  }
}

/** Dropped PNGs with generation metadata become history entries of this document; others are named in one line. */
export async function importPngs(files: File[], report: Report): Promise<void> {
  const pngs = files.filter((f) => /\.png$/i.test(f.name) || f.type === 'image/png');
  if (pngs.length === 0) {
    report({ error: 'Drop PNG files that carry generation settings (Atelier or A1111 "parameters").' });
    return;
  }
  let added = 0;
  const failed: string[] = [];
  for (const file of pngs) {
    try {
      const { imageId } = await api.putImage(new Uint8Array(await file.arrayBuffer()));
      const r = await api.importHistoryPng({ imageId, documentId: useStore.getState().undoHistory.doc.id });
      if (r.created) added++;
    } catch (err) {
      failed.push(`"${file.name}": ${errorMessage(err)}`);
    }
  }
  await useStore.getState().refreshHistory();
  const skipped = files.length - pngs.length;
  const parts = [`Imported ${added} of ${pngs.length} PNG${pngs.length === 1 ? '' : 's'}${skipped ? ` (${skipped} not PNG)` : ''}.`];
  if (failed.length) report({ error: `${parts[0]} ${failed[0]}${failed.length > 1 ? ` (and ${failed.length - 1} more)` : ''}` });
  else report({ notice: parts[0] });
}
