import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OnnxUpscaler } from '../engine/upscale/onnxUpscaler.js';
import { KERNELS, seeded, writeUpscalerJsPackage } from './testing/upscalerJsPackage.js';
import { convertUpscalerJs, UpscalerJsError } from './upscalerjs.js';

/**
 * A small package in UpscalerJS's layout using every layer kind the ESRGAN packages use, converted and
 * run through the engine's upscaler, against the Keras layers computed here directly in NHWC from the
 * same weights.
 */
const root = mkdtempSync(join(tmpdir(), 'atelier-upscalerjs-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The Keras model above, NHWC, straight from its definition. */
function kerasReference(x: Float32Array, h: number, w: number, wts: Map<string, Float32Array>): Float32Array {
  const conv = (inp: Float32Array, ih: number, iw: number, name: string) => {
    const k = KERNELS.find((q) => q.name === name)!;
    const kernel = wts.get(`${name}/kernel`)!;
    const bias = wts.get(`${name}/bias`)!;
    const out = new Float32Array(ih * iw * k.cout);
    const r = k.kh >> 1;
    for (let y = 0; y < ih; y++) for (let xx = 0; xx < iw; xx++) for (let o = 0; o < k.cout; o++) {
      let s = bias[o]!;
      for (let dy = 0; dy < k.kh; dy++) for (let dx = 0; dx < k.kh; dx++) {
        const sy = y + dy - r;
        const sx = xx + dx - r;
        if (sy < 0 || sx < 0 || sy >= ih || sx >= iw) continue;
        for (let c = 0; c < k.cin; c++) s += inp[(sy * iw + sx) * k.cin + c]! * kernel[((dy * k.kh + dx) * k.cin + c) * k.cout + o]!;
      }
      out[(y * iw + xx) * k.cout + o] = s;
    }
    return out;
  };
  const c1 = conv(x, h, w, 'c1');
  const r1 = c1.map((v) => Math.max(0, v));
  const cat = new Float32Array(h * w * 16);
  for (let p = 0; p < h * w; p++) for (let c = 0; c < 8; c++) {
    cat[p * 16 + c] = c1[p * 8 + c]!;
    cat[p * 16 + 8 + c] = r1[p * 8 + c]!;
  }
  const c2 = conv(cat, h, w, 'c2');
  const add = c1.map((v, i) => v + 0.2 * c2[i]!);
  const pre = conv(add, h, w, 'pre');
  const out = new Float32Array(h * 2 * w * 2 * 3);
  // tf.depthToSpace(NHWC, 2): channel (i·2 + j)·3 + c of pixel (y, x) → pixel (2y + i, 2x + j), channel c.
  for (let y = 0; y < h; y++) for (let xx = 0; xx < w; xx++) for (let i = 0; i < 2; i++) for (let j = 0; j < 2; j++) for (let c = 0; c < 3; c++) {
    out[((2 * y + i) * w * 2 + 2 * xx + j) * 3 + c] = pre[(y * w + xx) * 12 + (i * 2 + j) * 3 + c]!;
  }
  const up = new Float32Array(h * 2 * w * 2 * 8);
  for (let y = 0; y < h * 2; y++) for (let xx = 0; xx < w * 2; xx++) for (let c = 0; c < 8; c++) up[(y * w * 2 + xx) * 8 + c] = add[((y >> 1) * w + (xx >> 1)) * 8 + c]!;
  const cb = conv(up, 2 * h, 2 * w, 'cb');
  return out.map((v, i) => v + cb[i]!);
}

describe('UpscalerJS package → ONNX upscaler', () => {
  it.each(['rrdn', 'rdn'] as const)('%s: every layer kind matches the Keras definition, run through the engine (fp32 and fp16)', async (arch) => {
    const pkg = join(root, `pkg-${arch}`);
    const wts = writeUpscalerJsPackage(pkg, arch);
    const [h, w] = [7, 10];
    const rgb01 = seeded(h * w * 3, 5, 1).map((v) => v + 0.5); // NHWC in [0, 1]
    const range = arch === 'rrdn' ? 1 : 255;
    const expected = kerasReference(rgb01.map((v) => v * range), h, w, wts);
    const planar = new Float32Array(3 * h * w);
    for (let p = 0; p < h * w; p++) for (let c = 0; c < 3; c++) planar[c * h * w + p] = rgb01[p * 3 + c]!;

    for (const fp16 of [false, true]) {
      const out = join(root, `out-${arch}-${fp16}`);
      const r = convertUpscalerJs({ packageDir: pkg, scale: 2, outDir: out, fp16 });
      expect(r).toMatchObject({ architecture: arch, scale: 2, range: [0, range], dtype: fp16 ? 'float16' : 'float32' });
      expect(r.parameters).toBe(KERNELS.reduce((s, k) => s + k.kh * k.kh * k.cin * k.cout + k.cout, 0));
      const up = await OnnxUpscaler.load(out, 'cpu');
      try {
        expect(up.info).toMatchObject({ scale: 2, scaleFrom: 'upscaler.json', range: [0, range], inputType: fp16 ? 'float16' : 'float32' });
        const y = await up.run(planar, w, h);
        let worst = 0;
        for (let p = 0; p < 4 * h * w; p++) for (let c = 0; c < 3; c++) {
          worst = Math.max(worst, Math.abs(y[c * 4 * h * w + p]! * range - expected[p * 3 + c]!) / range);
        }
        // In [0, 1] units: fp32 exact to rounding; fp16 weights and arithmetic within a level.
        expect(worst).toBeLessThan(fp16 ? 2 / 255 : 1e-5);
      } finally {
        await up.release();
      }
    }
  });

  it('says in one sentence what is not an UpscalerJS package or not supported', () => {
    expect(() => convertUpscalerJs({ packageDir: join(root, 'nothing'), scale: 4, outDir: join(root, 'x') })).toThrow(/not an unpacked UpscalerJS package with a ×4 model/);
    const pkg = join(root, 'pkg-bad');
    writeUpscalerJsPackage(pkg, 'rrdn');
    const file = join(pkg, 'models', 'x2', 'model.json');
    const json = JSON.parse(readFileSync(file, 'utf8')) as { modelTopology: { model_config: { config: { layers: Array<{ class_name: string }> } } } };
    json.modelTopology.model_config.config.layers[2]!.class_name = 'BatchNormalization';
    writeFileSync(file, JSON.stringify(json));
    expect(() => convertUpscalerJs({ packageDir: pkg, scale: 2, outDir: join(root, 'y') })).toThrow(UpscalerJsError);
    expect(() => convertUpscalerJs({ packageDir: pkg, scale: 2, outDir: join(root, 'y') })).toThrow(/r1: layer BatchNormalization is not supported/);
  });
});
