import { statSync } from 'node:fs';
import type { ModelLayout } from './modelFolder.js';
import { summariseInitializers } from '../onnx/onnxProto.js';

export interface PartParameters {
  part: string;
  /** Float elements of the part's initializers: its weights (plus an exporter's few float constants). */
  parameters: number;
  /** Element counts by stored type (float32, float16, …). */
  byType: Record<string, number>;
}

/** Parameter counts per ONNX part, read from the initializers' headers (weights are never loaded). */
export function modelParameterCounts(layout: ModelLayout): PartParameters[] {
  const parts: Array<[string, string | undefined]> = [
    ['text_encoder', layout.textEncoder.file],
    ['text_encoder_2', layout.textEncoder2?.file],
    ['unet', layout.unet.file],
    ['vae_decoder', layout.vaeDecoder.file],
    ['vae_encoder', layout.vaeEncoder?.file],
  ];
  const out: PartParameters[] = [];
  for (const [part, file] of parts) {
    if (!file) continue;
    const s = summariseInitializers(file, statSync(file).size);
    const floats = (s.byType['float32'] ?? 0) + (s.byType['float16'] ?? 0) + (s.byType['bfloat16'] ?? 0);
    out.push({ part, parameters: floats, byType: s.byType });
  }
  return out;
}

/** "859.5 M" */
export function formatParameters(n: number): string {
  return n >= 1e9 ? `${(n / 1e9).toFixed(2)} B` : `${(n / 1e6).toFixed(1)} M`;
}
