import type { ModelLayout } from '../models/modelFolder.js';
import { readControlNetFolder, readModelFolder } from './modelFolders.js';
import type { LoraPart } from '../models/loraFile.js';
import { ControlNetRunner } from './controlnet/controlNetRunner.js';
import type { LoraMerger, LoraRequest } from './lora/loraMerger.js';
import { OnnxPart } from './onnx/part.js';
import type { SessionSource } from './lora/sessionSource.js';
import { PartSlot } from './onnx/partSlot.js';
import { DEFAULT_SESSION_TUNING, type SessionTuning } from './onnx/sessionTuning.js';
import type { PreviewDecoder } from './preview.js';
import type { SafetyChecker } from './safety.js';
import type { ProviderPreference } from './onnx/providers.js';
import { loadTokenizer, TextConditioner } from './textEncoder.js';
import { EngineError } from './types.js';
import { UnetRunner } from './unet.js';
import { VaeRunner } from './vae.js';

/** All sessions of one model folder, created once and kept warm between jobs. */
export interface LoadedModel {
  layout: ModelLayout;
  text: TextConditioner;
  /** The UNet; throws while its session is not created yet (lean loading: see `loadUnet`). */
  readonly unet: UnetRunner;
  /** Whether the UNet's session exists (false after a lean load until the first job's prompt is encoded). */
  readonly unetLoaded: boolean;
  /** Creates the UNet's session if it is not there yet; the runner either way. */
  loadUnet(): Promise<UnetRunner>;
  vae: VaeRunner;
  readonly provider: string;
  /** Provider fallbacks and similar things the user should see once. */
  notices: string[];
  /** TAESD for step previews, when one is installed for this model's family. */
  preview?: PreviewDecoder;
  /** Where `preview` was asked for (set even when it failed to load, so it is not retried every job). */
  previewPath?: string;
  /** The folder's safety checker, loaded on first use while the user keeps it on. */
  safety?: SafetyChecker;
  /**
   * Makes the UNet and text encoders carry these LoRAs (none: the weights on disk). Only the parts
   * whose merged weights change get a new session; the rest stay. Returns the LoRAs' warnings
   * (partial fits) and how long the reload took; throws one sentence for a LoRA that does not fit.
   */
  applyLoras(requests: readonly LoraRequest[], merger: LoraMerger): Promise<{ warnings: string[]; reloadMs: number }>;
  /**
   * With a control, a UNet that takes ControlNet residuals: the folder's `unet/` when it declares them, else
   * its `controlnet/model.onnx` (swapped in for the plain UNet, never both held); without, the plain UNet
   * again. Throws one sentence when the model has no such UNet. Returns the reload time.
   */
  selectUnet(control: boolean): Promise<number>;
  /** Sessions for these ControlNet folders, in order (kept between jobs; others released). */
  controlNets(dirs: readonly string[]): Promise<ControlNetRunner[]>;
  release(): Promise<void>;
}

export interface LoadOptions {
  /**
   * Lean loading, for when memory is short: leave the UNet's session for the first job to create once its
   * prompt is encoded and the text encoders are released (pipeline.ts), so the encoders and the UNet,
   * with the UNet's load-time copies, are never in memory together. Measured on SDXL (README "Memory").
   */
  deferUnet?: boolean;
}

/**
 * Creates the sessions a txt2img job needs (text encoders, UNet, VAE decoder); the VAE encoder waits
 * for the first img2img or inpaint job, so its weights are not resident for nothing. Each part sits in
 * a slot that can be released and reopened (the text encoders, when memory is short).
 */
export async function loadModel(
  dir: string,
  pref: ProviderPreference,
  tuning: SessionTuning = DEFAULT_SESSION_TUNING,
  options: LoadOptions = {},
): Promise<LoadedModel> {
  const layout = readModelFolder(dir);
  const notices = new Set<string>();
  const slots: PartSlot[] = [];
  const slot = (file: string, source?: () => SessionSource) => {
    const s = new PartSlot(file, async (f) => {
      const p = await OnnxPart.create(f, pref, source, tuning);
      if (p.load.notice) notices.add(p.load.notice);
      return p;
    });
    slots.push(s);
    return s;
  };
  const drop = async (s: PartSlot) => {
    slots.splice(slots.indexOf(s), 1);
    await s.release();
  };
  const releaseAll = () => Promise.all(slots.map((s) => s.release()));
  try {
    const tokenizer = loadTokenizer(layout.tokenizer);
    const tokenizer2 = layout.tokenizer2 ? loadTokenizer(layout.tokenizer2) : undefined;
    // The parts a LoRA can change, with the merged variant each session was made from ('' = none).
    const mergeable: Partial<Record<LoraPart, { file: string; slot: PartSlot; key: string }>> = {};
    const add = async (part: LoraPart, file: string, open = true) => {
      const s = slot(file);
      if (open) await s.get();
      mergeable[part] = { file, slot: s, key: '' };
    };
    await add('text_encoder', layout.textEncoder.file);
    if (layout.textEncoder2) await add('text_encoder_2', layout.textEncoder2.file);
    await add('unet', layout.unet.file, !options.deferUnet);
    const decoder = await slot(layout.vaeDecoder.file).get();
    const vaeEncoder = layout.vaeEncoder ? slot(layout.vaeEncoder.file) : undefined;
    const conditioner = () => new TextConditioner(layout, tokenizer, mergeable.text_encoder!.slot, tokenizer2, mergeable.text_encoder_2?.slot);
    const unetOf = async () => new UnetRunner(await mergeable.unet!.slot.get(), layout);
    let unet = options.deferUnet ? undefined : await unetOf();
    const firstPart = await mergeable.text_encoder!.slot.get();
    const controlNets = new Map<string, { slot: PartSlot; runner: ControlNetRunner }>();
    const model: LoadedModel = {
      layout,
      text: conditioner(),
      get unet(): UnetRunner {
        if (!unet) throw new EngineError(`${layout.name}: the UNet is not loaded yet`, 'runtime');
        return unet;
      },
      get unetLoaded() {
        return unet !== undefined;
      },
      async loadUnet() {
        unet ??= await unetOf();
        return unet;
      },
      vae: new VaeRunner(layout, decoder, vaeEncoder),
      // The UNet's provider; before a lean load creates it, the text encoder's (every part tries the same ones).
      get provider() {
        return (unet?.part ?? firstPart).load.provider;
      },
      notices: [...notices],
      async applyLoras(requests, merger) {
        const parts = (Object.keys(mergeable) as LoraPart[]).map((p) => ({ part: p, file: mergeable[p]!.file }));
        const { plans, warnings } = merger.plan(parts, requests);
        const t = performance.now();
        for (const plan of plans) {
          const current = mergeable[plan.part]!;
          if (current.key === plan.key) continue;
          // Release first: the old and the new UNet side by side is what runs machines out of memory.
          await drop(current.slot);
          let next = slot(plan.file, plan.source);
          try {
            await next.get();
          } catch (error) {
            // Never leave the model without this part: fall back to the weights on disk, then report.
            await drop(next);
            next = slot(plan.file);
            await next.get();
            mergeable[plan.part] = { file: plan.file, slot: next, key: '' };
            if (plan.part === 'unet') unet = await unetOf();
            else this.text = conditioner();
            throw error;
          }
          mergeable[plan.part] = { file: plan.file, slot: next, key: plan.key };
          if (plan.part === 'unet') unet = await unetOf();
          else this.text = conditioner();
        }
        return { warnings, reloadMs: performance.now() - t };
      },
      async selectUnet(control) {
        const current = mergeable.unet!;
        const controlFile = layout.controlUnet?.file;
        let want = current.file;
        // Only a ControlNet job needs to know what the UNet takes (a lean load keeps it unloaded otherwise).
        if (control && !(await this.loadUnet()).takesResiduals) {
          if (!controlFile) {
            throw new EngineError(
              `${layout.name} cannot take a ControlNet: its UNet has no ControlNet inputs (convert it with ControlNet support, which adds them or a controlnet/model.onnx beside the UNet)`,
            );
          }
          want = controlFile;
        } else if (!control && controlFile && current.file === controlFile) {
          want = layout.unet.file;
        }
        if (want === current.file) return 0;
        const t = performance.now();
        // One UNet at a time: the two are the same network, and two of them is what runs machines out of memory.
        await drop(current.slot);
        const next = slot(want);
        mergeable.unet = { file: want, slot: next, key: '' };
        unet = await unetOf();
        if (control && !unet.takesResiduals) {
          throw new EngineError(`${layout.name}: its controlnet/model.onnx has no ControlNet residual inputs (down_block_N_additional_residual)`, 'invalid-model');
        }
        return performance.now() - t;
      },
      async controlNets(dirs) {
        for (const [dir, held] of controlNets) {
          if (!dirs.includes(dir)) {
            controlNets.delete(dir);
            await drop(held.slot);
          }
        }
        const out: ControlNetRunner[] = [];
        for (const dir of dirs) {
          let held = controlNets.get(dir);
          if (!held) {
            const folder = readControlNetFolder(dir);
            const s = slot(folder.file);
            try {
              held = { slot: s, runner: new ControlNetRunner(await s.get(), folder) };
            } catch (error) {
              await drop(s);
              throw error;
            }
            controlNets.set(dir, held);
          }
          out.push(held.runner);
        }
        return out;
      },
      async release() {
        controlNets.clear();
        await releaseAll();
        await this.preview?.release();
        await this.safety?.release();
        this.preview = undefined;
        this.previewPath = undefined;
        this.safety = undefined;
      },
    };
    return model;
  } catch (error) {
    await releaseAll();
    throw error;
  }
}
