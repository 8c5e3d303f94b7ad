import { readModelFolder, type ModelLayout } from '../models/modelFolder.js';
import type { LoraPart } from './lora/loraFile.js';
import type { LoraMerger, LoraRequest } from './lora/loraMerger.js';
import { OnnxPart } from './onnx/part.js';
import type { PreviewDecoder } from './preview.js';
import type { SafetyChecker } from './safety.js';
import type { ProviderPreference } from './onnx/providers.js';
import { loadTokenizer, TextConditioner } from './textEncoder.js';
import { UnetRunner } from './unet.js';
import { VaeRunner } from './vae.js';

/** All sessions of one model folder, created once and kept warm between jobs. */
export interface LoadedModel {
  layout: ModelLayout;
  text: TextConditioner;
  unet: UnetRunner;
  vae: VaeRunner;
  provider: string;
  /** Provider fallbacks and similar things the user should see once. */
  notices: string[];
  /** TAESD for step previews, when one is installed for this model's family. */
  preview?: PreviewDecoder;
  /** The folder's safety checker, loaded on first use while the user keeps it on. */
  safety?: SafetyChecker;
  /**
   * Makes the UNet and text encoders carry these LoRAs (none: the weights on disk). Only the parts
   * whose merged weights change get a new session; the rest stay. Returns the LoRAs' warnings
   * (partial fits) and how long the reload took; throws one sentence for a LoRA that does not fit.
   */
  applyLoras(requests: readonly LoraRequest[], merger: LoraMerger): Promise<{ warnings: string[]; reloadMs: number }>;
  release(): Promise<void>;
}

export async function loadModel(dir: string, pref: ProviderPreference): Promise<LoadedModel> {
  const layout = readModelFolder(dir);
  const created: OnnxPart[] = [];
  const part = async (file: string): Promise<OnnxPart> => {
    const p = await OnnxPart.create(file, pref);
    created.push(p);
    return p;
  };
  try {
    const tokenizer = loadTokenizer(layout.tokenizer);
    const tokenizer2 = layout.tokenizer2 ? loadTokenizer(layout.tokenizer2) : undefined;
    // The parts a LoRA can change, with the merged variant each session was made from ('' = none).
    const mergeable: Partial<Record<LoraPart, { file: string; session: OnnxPart; key: string }>> = {};
    mergeable.text_encoder = { file: layout.textEncoder.file, session: await part(layout.textEncoder.file), key: '' };
    if (layout.textEncoder2) mergeable.text_encoder_2 = { file: layout.textEncoder2.file, session: await part(layout.textEncoder2.file), key: '' };
    mergeable.unet = { file: layout.unet.file, session: await part(layout.unet.file), key: '' };
    const decoder = await part(layout.vaeDecoder.file);
    const vaeEncoder = layout.vaeEncoder ? await part(layout.vaeEncoder.file) : undefined;
    const notices = [...new Set(created.map((p) => p.load.notice).filter((n): n is string => n !== undefined))];
    const conditioner = () => new TextConditioner(layout, tokenizer, mergeable.text_encoder!.session, tokenizer2, mergeable.text_encoder_2?.session);
    const model: LoadedModel = {
      layout,
      text: conditioner(),
      unet: new UnetRunner(mergeable.unet.session, layout),
      vae: new VaeRunner(layout, decoder, vaeEncoder),
      provider: mergeable.unet.session.load.provider,
      notices,
      async applyLoras(requests, merger) {
        const parts = (Object.keys(mergeable) as LoraPart[]).map((p) => ({ part: p, file: mergeable[p]!.file }));
        const { plans, warnings } = merger.plan(parts, requests);
        const t = performance.now();
        for (const plan of plans) {
          const current = mergeable[plan.part]!;
          if (current.key === plan.key) continue;
          // Release first: the old and the new UNet side by side is what runs machines out of memory.
          created.splice(created.indexOf(current.session), 1);
          await current.session.release();
          let session: OnnxPart;
          try {
            session = await OnnxPart.create(plan.file, pref, plan.source);
          } catch (error) {
            // Never leave the model without this part: fall back to the weights on disk, then report.
            session = await OnnxPart.create(plan.file, pref);
            created.push(session);
            mergeable[plan.part] = { file: plan.file, session, key: '' };
            if (plan.part === 'unet') this.unet = new UnetRunner(session, layout);
            else this.text = conditioner();
            throw error;
          }
          created.push(session);
          mergeable[plan.part] = { file: plan.file, session, key: plan.key };
          if (plan.part === 'unet') this.unet = new UnetRunner(session, layout);
          else this.text = conditioner();
        }
        return { warnings, reloadMs: performance.now() - t };
      },
      async release() {
        await Promise.all(created.map((p) => p.release()));
        await this.preview?.release();
        await this.safety?.release();
        this.preview = undefined;
        this.safety = undefined;
      },
    };
    return model;
  } catch (error) {
    await Promise.all(created.map((p) => p.release()));
    throw error;
  }
}
