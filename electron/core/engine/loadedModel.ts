import { readModelFolder, type ModelLayout } from '../models/modelFolder.js';
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
    const encoder = await part(layout.textEncoder.file);
    const tokenizer2 = layout.tokenizer2 ? loadTokenizer(layout.tokenizer2) : undefined;
    const encoder2 = layout.textEncoder2 ? await part(layout.textEncoder2.file) : undefined;
    const unetPart = await part(layout.unet.file);
    const decoder = await part(layout.vaeDecoder.file);
    const vaeEncoder = layout.vaeEncoder ? await part(layout.vaeEncoder.file) : undefined;
    const notices = [...new Set(created.map((p) => p.load.notice).filter((n): n is string => n !== undefined))];
    const model: LoadedModel = {
      layout,
      text: new TextConditioner(layout, tokenizer, encoder, tokenizer2, encoder2),
      unet: new UnetRunner(unetPart, layout),
      vae: new VaeRunner(layout, decoder, vaeEncoder),
      provider: unetPart.load.provider,
      notices,
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
