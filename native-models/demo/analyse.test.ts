import { describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RgbaImage } from '../../electron/core/image/types.js';
import { analyseImage, findObjects, hueClass, placeOf } from './analyse.js';
import type { Scene } from './world.js';

const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

async function drawnScenes(): Promise<Array<{ scene: Scene; image: RgbaImage }>> {
  const truth = JSON.parse(readFileSync(fixture('drawn-scenes.json'), 'utf8')) as { columns: number; cell: number; scenes: Scene[] };
  const { data, info } = await sharp(fixture('drawn-scenes.png')).ensureAlpha().raw().toBuffer({ resolveWithObject: true });
  const c = truth.cell;
  return truth.scenes.map((scene, i) => {
    const x0 = (i % truth.columns) * c;
    const y0 = Math.floor(i / truth.columns) * c;
    const cell = new Uint8Array(c * c * 4);
    for (let y = 0; y < c; y++) cell.set(data.subarray(((y0 + y) * info.width + x0) * 4, ((y0 + y) * info.width + x0 + c) * 4), y * c * 4);
    return { scene, image: { width: c, height: c, data: cell } };
  });
}

describe('shapes-world analyser', () => {
  it('names the palette colours by hue', () => {
    expect(hueClass(220, 30, 30)).toBe('red');
    expect(hueClass(245, 135, 20)).toBe('orange');
    expect(hueClass(240, 220, 30)).toBe('yellow');
    expect(hueClass(30, 170, 50)).toBe('green');
    expect(hueClass(30, 70, 220)).toBe('blue');
    expect(hueClass(140, 50, 190)).toBe('purple');
    expect(hueClass(245, 245, 245)).toBe('white');
    expect(hueClass(20, 20, 20)).toBe('black');
    expect(hueClass(128, 128, 128)).toBe('other');
  });

  it('maps centroids to the world places', () => {
    expect(placeOf(0.27, 0.5)).toBe('left');
    expect(placeOf(0.5, 0.5)).toBe('centre');
    expect(placeOf(0.73, 0.27)).toBe('top right');
    expect(placeOf(0.5, 0.73)).toBe('bottom');
  });

  it('reads colour, place and size of every drawn one-object scene', async () => {
    const scenes = (await drawnScenes()).filter((s) => s.scene.objects.length === 1);
    expect(scenes.length).toBe(24);
    for (const { scene, image } of scenes) {
      const found = analyseImage(image);
      const o = scene.objects[0];
      expect({ colour: found?.colour, place: found?.place, size: found?.size }, JSON.stringify(scene)).toEqual({
        colour: o.colour,
        place: o.place,
        size: o.size,
      });
    }
  });

  it('finds both objects of drawn two-object scenes', async () => {
    const scenes = (await drawnScenes()).filter((s) => s.scene.objects.length === 2);
    expect(scenes.length).toBe(8);
    for (const { scene, image } of scenes) {
      const found = findObjects(image);
      for (const o of scene.objects) {
        const f = found.find((x) => x.colour === o.colour);
        expect(f?.place, JSON.stringify(scene)).toBe(o.place);
      }
    }
  });

  it('finds nothing in a plain picture', () => {
    const data = new Uint8Array(64 * 64 * 4).fill(200);
    expect(analyseImage({ width: 64, height: 64, data })).toBeUndefined();
  });
});
