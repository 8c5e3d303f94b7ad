// Runs every part of every test model once in onnxruntime-node (batch 1 and 2, 64 and 512 px)
// and checks outputs are finite and vary. Usage: node native-models/recipes/smoke.mjs [modelDir...]
import ort from 'onnxruntime-node';
import { readFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', 'test-models');
const dirs = process.argv.slice(2).length ? process.argv.slice(2) : ['sd15-tiny', 'sd15-inpaint-tiny', 'sdxl-tiny'].map((d) => join(root, d));

function randn(n, seed) {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    const u = (s + 0.5) / 2 ** 32;
    s = (s * 1664525 + 1013904223) >>> 0;
    const v = (s + 0.5) / 2 ** 32;
    out[i] = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  return out;
}
function check(name, t) {
  const d = t.data;
  let min = Infinity, max = -Infinity;
  for (const x of d) {
    if (!Number.isFinite(x)) throw new Error(`${name}: non-finite output`);
    if (x < min) min = x;
    if (x > max) max = x;
  }
  if (!(max - min > 1e-4)) throw new Error(`${name}: output does not vary (${min}..${max})`);
  return `${name} [${t.dims}] ${min.toFixed(3)}..${max.toFixed(3)}`;
}
function tensorFor(meta, dims, data) {
  if (meta.type === 'int64') return new ort.Tensor('int64', BigInt64Array.from(data, (x) => BigInt(Math.round(x))), dims);
  if (meta.type === 'int32') return new ort.Tensor('int32', Int32Array.from(data, (x) => Math.round(x)), dims);
  return new ort.Tensor('float32', Float32Array.from(data), dims);
}

for (const dir of dirs) {
  const index = JSON.parse(readFileSync(join(dir, 'model_index.json'), 'utf8'));
  const sdxl = 'text_encoder_2' in index;
  const open = (part) => ort.InferenceSession.create(join(dir, part, 'model.onnx'), { intraOpNumThreads: 2 });
  const te = await open('text_encoder');
  const te2 = sdxl ? await open('text_encoder_2') : null;
  const unet = await open('unet');
  const dec = await open('vae_decoder');
  const enc = await open('vae_encoder');
  const unetCfg = JSON.parse(readFileSync(join(dir, 'unet', 'config.json'), 'utf8'));
  const meta = Object.fromEntries(unet.inputMetadata.map((m) => [m.name, m]));
  console.log(dir.split('/').pop(), 'unet inputs:', unet.inputMetadata.map((m) => `${m.name}:${m.type}[${m.shape}]`).join(' '));
  for (const batch of [1, 2]) {
    const ids = new Int32Array(batch * 77).fill(49407);
    for (let b = 0; b < batch; b++) { ids[b * 77] = 49406; ids[b * 77 + 1] = 320 + b; ids[b * 77 + 2] = 1929; }
    const r1 = await te.run({ input_ids: new ort.Tensor('int32', ids, [batch, 77]) });
    const lines = [check('last_hidden_state', r1.last_hidden_state)];
    let ctx = r1.last_hidden_state;
    const feeds = {};
    if (sdxl) {
      const r2 = await te2.run({ input_ids: new ort.Tensor('int32', ids, [batch, 77]) });
      lines.push(check('text_embeds', r2.text_embeds));
      const n1 = Object.keys(r1).filter((k) => k.startsWith('hidden_states.')).length;
      const n2 = Object.keys(r2).filter((k) => k.startsWith('hidden_states.')).length;
      const h1 = r1[`hidden_states.${n1 - 2}`], h2 = r2[`hidden_states.${n2 - 2}`];
      const d1 = h1.dims[2], d2 = h2.dims[2];
      const cat = new Float32Array(batch * 77 * (d1 + d2));
      for (let i = 0; i < batch * 77; i++) {
        cat.set(h1.data.subarray(i * d1, (i + 1) * d1), i * (d1 + d2));
        cat.set(h2.data.subarray(i * d2, (i + 1) * d2), i * (d1 + d2) + d1);
      }
      ctx = new ort.Tensor('float32', cat, [batch, 77, d1 + d2]);
      feeds.text_embeds = r2.text_embeds;
      feeds.time_ids = new ort.Tensor('float32', Float32Array.from({ length: batch * 6 }, (_, i) => [512, 512, 0, 0, 512, 512][i % 6]), [batch, 6]);
    }
    for (const px of [64, 512]) {
      const h = px / 8;
      const inCh = unetCfg.in_channels;
      const tsMeta = meta.timestep;
      const tsDims = tsMeta.shape.length === 0 ? [] : [1];
      const out = await unet.run({ ...feeds, sample: new ort.Tensor('float32', randn(batch * inCh * h * h, 7), [batch, inCh, h, h]),
        timestep: tensorFor(tsMeta, tsDims, [981]), encoder_hidden_states: ctx });
      lines.push(check(`unet@${px}`, out.out_sample));
      const img = await dec.run({ latent_sample: new ort.Tensor('float32', randn(batch * 4 * h * h, 9), [batch, 4, h, h]) });
      lines.push(check(`decode@${px}`, img.sample));
      const lat = await enc.run({ sample: img.sample });
      lines.push(check(`encode@${px}`, lat[enc.outputNames[0]]));
    }
    console.log(`  batch ${batch}: ` + lines.join('; '));
  }
}
console.log('smoke ok');
