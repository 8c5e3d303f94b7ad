/**
 * Reads a generated picture of the shapes world without knowing its prompt: background = each
 * row's median colour (the world's backgrounds vary only vertically), foreground = pixels far
 * from it, colour = majority hue class of the foreground, place = centroid, size = area.
 */
import type { RgbaImage } from '../../electron/core/image/types.js';
import type { ColourName, PlaceName, SizeName } from './world.js';

export type HueClass = ColourName | 'other';

export interface FoundObject {
  colour: ColourName;
  place: PlaceName;
  size: SizeName;
  /** Pixels, scaled to a 128 × 128 picture. */
  area: number;
  /** Centroid as fractions of width and height. */
  cx: number;
  cy: number;
}

/** Foreground distance from the row's background (RGB, 0..441). */
const FOREGROUND_DISTANCE = 50;
/** Between the world's largest small shape (~530 px) and smallest large one (~1050 px) at 128². */
const LARGE_AREA = 750;
/** Fewer pixels than this (at 128²) is noise, not an object. */
const MIN_AREA = 60;

export function hueClass(r: number, g: number, b: number): HueClass {
  const mx = Math.max(r, g, b);
  const mn = Math.min(r, g, b);
  const v = mx / 255;
  const s = mx > 0 ? (mx - mn) / mx : 0;
  if (v < 0.25) return 'black';
  if (s < 0.25) return v > 0.75 ? 'white' : 'other';
  const d = mx - mn;
  let h = mx === r ? ((g - b) / d) % 6 : mx === g ? (b - r) / d + 2 : (r - g) / d + 4;
  h *= 60;
  if (h < 0) h += 360;
  if (h < 15 || h >= 330) return 'red';
  if (h < 38) return 'orange';
  if (h < 75) return 'yellow';
  if (h < 165) return 'green';
  if (h < 255) return 'blue';
  return 'purple';
}

export function placeOf(cx: number, cy: number): PlaceName {
  const horizontal = cx < 0.4 ? 'left' : cx > 0.6 ? 'right' : '';
  const vertical = cy < 0.4 ? 'top' : cy > 0.6 ? 'bottom' : '';
  return ((`${vertical} ${horizontal}`.trim() || 'centre') as PlaceName);
}

function median(values: number[]): number {
  values.sort((a, b) => a - b);
  const m = values.length >> 1;
  return values.length % 2 ? values[m] : (values[m - 1] + values[m]) / 2;
}

/** Per-pixel hue class of foreground pixels (undefined = background). */
export function foregroundClasses(img: RgbaImage): Array<HueClass | undefined> {
  const { width, height, data } = img;
  const out: Array<HueClass | undefined> = new Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = [0, 1, 2].map((c) => median(Array.from({ length: width }, (_, x) => data[(y * width + x) * 4 + c])));
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      const dist = Math.hypot(data[i] - row[0], data[i + 1] - row[1], data[i + 2] - row[2]);
      if (dist > FOREGROUND_DISTANCE) out[y * width + x] = hueClass(data[i], data[i + 1], data[i + 2]);
    }
  }
  return out;
}

/** 1 where the picture shows an object of `colour` (foreground of that hue class), 0 elsewhere: the object's mask. */
export function objectMask(img: RgbaImage, colour: ColourName): Uint8Array {
  return Uint8Array.from(foregroundClasses(img), (c) => (c === colour ? 1 : 0));
}

/** Objects found per colour class, largest first (one per colour: the world never repeats a colour). */
export function findObjects(img: RgbaImage): FoundObject[] {
  const { width, height } = img;
  const classes = foregroundClasses(img);
  const acc = new Map<ColourName, { n: number; sx: number; sy: number }>();
  classes.forEach((c, i) => {
    if (c === undefined || c === 'other') return;
    const a = acc.get(c) ?? { n: 0, sx: 0, sy: 0 };
    a.n++;
    a.sx += (i % width) + 0.5;
    a.sy += Math.floor(i / width) + 0.5;
    acc.set(c, a);
  });
  const scale = (128 * 128) / (width * height);
  return [...acc.entries()]
    .map(([colour, a]) => {
      const cx = a.sx / a.n / width;
      const cy = a.sy / a.n / height;
      const area = a.n * scale;
      return { colour, cx, cy, area, place: placeOf(cx, cy), size: (area > LARGE_AREA ? 'large' : 'small') as SizeName };
    })
    .filter((o) => o.area >= MIN_AREA)
    .sort((a, b) => b.area - a.area);
}

/** The dominant object of a one-object picture, or undefined when nothing stands out. */
export function analyseImage(img: RgbaImage): FoundObject | undefined {
  return findObjects(img)[0];
}
