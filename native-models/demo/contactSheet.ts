/**
 * Writes the demo model's contact sheet: 16 prompts from the world grammar, generated through the
 * engine with the model's recommended settings, each captioned with its prompt and what the
 * analyser read back.  Usage: npx tsx native-models/demo/contactSheet.ts [out.png] [seed]
 */
import sharp from 'sharp';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GenerationSettingsSchema } from '../../electron/contract/generation.js';
import { Engine } from '../../electron/core/engine/engine.js';
import { analyseImage } from './analyse.js';
import { drawPrompts } from './world.js';

const MODEL = fileURLToPath(new URL('./atelier-shapes-128', import.meta.url));
const out = process.argv[2] ?? fileURLToPath(new URL('./contact-sheet.png', import.meta.url));
const seed = Number(process.argv[3] ?? 16);
const rec = JSON.parse(readFileSync(`${MODEL}/model_index.json`, 'utf8'))._atelier.recommended;

const CELL = 128;
const CAPTION = 44;
const COLS = 4;
const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function wrap(text: string, width = 25): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if ((line + ' ' + word).trim().length > width) {
      lines.push(line);
      line = word;
    } else line = (line + ' ' + word).trim();
  }
  return [...lines, line].slice(0, 3);
}

const engine = new Engine({ provider: 'cpu' });
const prompts = drawPrompts(16, seed);
const tiles: sharp.OverlayOptions[] = [];
let svg = '';
let ms = 0;
for (const [i, { prompt, scene }] of prompts.entries()) {
  const settings = GenerationSettingsSchema.parse({
    mode: 'txt2img', prompt, width: CELL, height: CELL, steps: rec.steps, guidance: rec.guidance, scheduler: rec.scheduler, seed: i,
  });
  const r = await engine.generate(MODEL, { settings });
  ms += r.timings.totalMs - r.timings.loadMs;
  const img = r.images[0].image;
  const x = (i % COLS) * CELL;
  const y = Math.floor(i / COLS) * (CELL + CAPTION);
  tiles.push({ input: Buffer.from(img.data), raw: { width: CELL, height: CELL, channels: 4 }, left: x, top: y });
  const found = analyseImage(img);
  const o = scene.objects[0];
  const ok = found?.colour === o.colour && found?.place === o.place;
  const lines = [...wrap(prompt), `read: ${found ? `${found.colour}, ${found.place}` : 'nothing'} ${ok ? '✓' : '✗'}`];
  lines.forEach((l, k) => {
    svg += `<text x="${x + 3}" y="${y + CELL + 10 + k * 10}" font-family="sans-serif" font-size="9" fill="${k === lines.length - 1 ? (ok ? '#060' : '#a00') : '#000'}">${escape(l)}</text>`;
  });
}
await engine.release();
const width = COLS * CELL;
const height = 4 * (CELL + CAPTION);
const captions = Buffer.from(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">${svg}</svg>`);
await sharp({ create: { width, height, channels: 4, background: { r: 255, g: 255, b: 255, alpha: 1 } } })
  .composite([...tiles, { input: captions, left: 0, top: 0 }])
  .png()
  .toFile(out);
console.log(`wrote ${out}: 16 images, ${(ms / 16).toFixed(0)} ms per image (${rec.steps} steps ${rec.scheduler}, guidance ${rec.guidance})`);
