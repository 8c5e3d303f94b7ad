import type { EngineLike } from '../engineRuntime.js';
import { EngineError } from '../../engine/types.js';

/**
 * A stand-in engine for the job host's own tests: it behaves like the real one at the protocol level
 * (steps, previews, cancellation, errors) and can crash its process on demand, which the real engine
 * cannot be made to do reliably. Prompt keywords script it: "crash", "fail", "slow".
 */
export function createEngine(): EngineLike {
  return {
    async inspect(dir) {
      return {
        name: 'scripted', label: 'Scripted', path: dir, family: 'sd1', pipelineClass: 'OnnxStableDiffusionPipeline', weightBytes: 0, parameters: [],
        vaeScalingFactor: 0.18215, unetInChannels: 4, inpainting: 'latent-blend', canImg2Img: true, provider: 'cpu', providerLabel: 'CPU', notices: [], parts: [],
      };
    },
    async tokenize(_dir, text) {
      // Words stand in for tokens; no weighted chunks (nothing encodes them here).
      return { inputIds: [], tokenCount: text.split(/\s+/).filter(Boolean).length, maxTokens: 75, chunks: [] };
    },
    async generate(dir, request, options) {
      const { width, height, steps, prompt, seed, batch } = request.settings;
      if (prompt.includes('crash')) process.exit(7);
      if (prompt.includes('fail')) throw new EngineError('The model folder has no unet/model.onnx.', 'invalid-model');
      const stepMs = prompt.includes('slow') ? 150 : 5;
      for (let i = 1; i <= steps; i++) {
        await new Promise((r) => setTimeout(r, stepMs));
        if (options?.signal?.aborted) throw new EngineError('Generation cancelled.', 'cancelled');
        options?.onProgress?.({ done: i, total: steps, batchIndex: 0, preview: { width: 8, height: 8, data: new Uint8Array(256).fill(i) } });
      }
      // Like the real engine: batch item b runs with seed + b, and its picture depends on that seed alone.
      const image = (s: number) => {
        const data = new Uint8Array(width * height * 4);
        for (let p = 0; p < data.length; p += 4) {
          data[p] = s & 255;
          data[p + 1] = 128;
          data[p + 2] = request.initImage ? 255 : 0;
          data[p + 3] = 255;
        }
        return { image: { width, height, data }, seed: s };
      };
      return {
        images: Array.from({ length: Math.max(1, batch ?? 1) }, (_, b) => image((seed + b) >>> 0)),
        provider: 'cpu',
        model: { name: 'scripted', path: dir, family: 'sd1' },
        timings: { loadMs: 0, encodeMs: 0, denoiseMs: steps * stepMs, decodeMs: 0, totalMs: steps * stepMs },
      };
    },
  };
}
