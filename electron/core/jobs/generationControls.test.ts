import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GenerationSettingsSchema } from '../../contract/generation.js';
import { formatA1111Parameters } from '../export/a1111Parameters.js';
import { encodePng, readPngMetadata } from '../export/pngMetadata.js';
import type { RgbaImage } from '../image/types.js';
import { imageIdOf } from '../store/imageStore.js';
import { openHistoryStore, type HistoryStore } from '../store/historyStore.js';
import { Engine } from '../engine/engine.js';
import { EngineHost } from './engineHost.js';
import { GenerationService } from './generationService.js';
import { inProcessSpawner } from './localEngine.js';
import { InstalledModels } from './installedModels.js';
import { TEST_MODELS } from './testing/testStudio.js';

/** ControlNets through the one generation service, on the real engine and the tiny test models. */
const model = { name: 'sd15-tiny', dir: join(TEST_MODELS, 'sd15-tiny') };
const catalogue = new InstalledModels([TEST_MODELS]);

function stripes(): RgbaImage {
  const data = new Uint8Array(64 * 64 * 4);
  for (let p = 0; p < 64 * 64; p++) data.set((p % 64) % 16 < 4 ? [255, 255, 255, 255] : [0, 0, 0, 255], p * 4);
  return { width: 64, height: 64, data };
}

let dir: string;
let store: HistoryStore;
let engine: EngineHost;
let service: GenerationService;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'atelier-controls-'));
  store = openHistoryStore(dir);
  engine = new EngineHost(inProcessSpawner(() => new Engine({ provider: 'cpu' })));
  service = new GenerationService({ engine, history: store, origin: 'cli', controlNets: (id) => catalogue.controlNetDirOf(id) });
});
afterAll(() => {
  engine.dispose();
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('generation service with ControlNets (issue 20)', () => {
  it('lists the installed ControlNets by id', () => {
    expect(catalogue.listControlNets()).toEqual([
      { id: 'controlnet-sd15-tiny', label: 'controlnet-sd15-tiny', family: 'sd1' },
      { id: 'controlnet-sd15-tiny-b', label: 'controlnet-sd15-tiny-b', family: 'sd1' },
      { id: 'controlnet-sdxl-tiny', label: 'controlnet-sdxl-tiny', family: 'sdxl' },
    ]);
  });

  it('stores a control map given as pixels, records the controls, and a re-run from the record is exact', async () => {
    const map = stripes();
    const placeholder = imageIdOf(await encodePng(map));
    const settings = GenerationSettingsSchema.parse({
      mode: 'txt2img', prompt: 'a kite', width: 64, height: 64, steps: 2, guidance: 3, scheduler: 'euler', seed: 5,
      controls: [{ model: 'controlnet-sd15-tiny', imageId: placeholder, type: 'scribble', scale: 0.8, start: 0, end: 0.5 }],
    });
    const first = await service.run({ settings, model, controlInputs: [{ dir: join(TEST_MODELS, 'controlnet-sd15-tiny'), image: { pixels: map } }] });
    const recorded = first.entry!.settings.controls!;
    expect(recorded).toEqual([{ model: 'controlnet-sd15-tiny', imageId: placeholder, type: 'scribble', scale: 0.8, start: 0, end: 0.5 }]);
    expect(store.images.has(placeholder)).toBe(true);
    const meta = readPngMetadata(first.images[0]!.png);
    expect(meta.atelier?.settings.controls).toEqual(recorded);
    expect(meta.parameters).toContain('ControlNet 0: "Module: scribble, Model: controlnet-sd15-tiny, Weight: 0.8, Guidance Start: 0, Guidance End: 0.5"');
    // Re-run as History does: the recorded settings alone (model id → folder, image id → the stored map).
    const again = await service.run({ settings: first.entry!.settings, model, parentId: first.entry!.id });
    expect(Buffer.from(again.images[0]!.image.data).equals(Buffer.from(first.images[0]!.image.data))).toBe(true);
    const plain = await service.run({ settings: { ...settings, controls: undefined }, model });
    expect(Buffer.from(plain.images[0]!.image.data).equals(Buffer.from(first.images[0]!.image.data))).toBe(false);
  });

  it('says in one sentence when a ControlNet is not installed or its map has the wrong size', async () => {
    const settings = GenerationSettingsSchema.parse({
      mode: 'txt2img', prompt: 'a kite', width: 64, height: 64, steps: 2, guidance: 1, scheduler: 'euler', seed: 5,
      controls: [{ model: 'no-such-controlnet', imageId: 'a'.repeat(64) }],
    });
    await expect(service.start({ settings, model })).rejects.toThrow(/ControlNet "no-such-controlnet" is not installed/);
    const small: RgbaImage = { width: 32, height: 32, data: new Uint8Array(32 * 32 * 4) };
    const wrong = { ...settings, controls: [{ ...settings.controls![0]!, model: 'controlnet-sd15-tiny' }] };
    await expect(service.start({ settings: wrong, model, controlInputs: [{ image: { pixels: small } }] })).rejects.toThrow(/control image is 32×32 but the frame is 64×64/);
  });

  it('writes the controls into the A1111 parameters line in order', () => {
    const settings = GenerationSettingsSchema.parse({
      mode: 'txt2img', prompt: 'p', width: 64, height: 64, steps: 2, guidance: 1, scheduler: 'euler', seed: 1,
      controls: [{ model: 'a', imageId: 'a'.repeat(64), type: 'canny' }, { model: 'b', imageId: 'b'.repeat(64), scale: 0.5, start: 0.2, end: 0.8 }],
    });
    const line = formatA1111Parameters({ settings, model: 'm', seed: 1, app: 'atelier' });
    expect(line).toMatch(/ControlNet 0: "Module: canny, Model: a, Weight: 1, Guidance Start: 0, Guidance End: 1", ControlNet 1: "Module: none, Model: b, Weight: 0.5, Guidance Start: 0.2, Guidance End: 0.8"/);
  });
});
