import type { ControlType } from '../../../contract/control.js';
import { grayToRgba, type RgbaImage } from '../pixels.js';
import { cannyEdges, type CannyOptions } from './canny.js';
import { scribbleLines, type ScribbleOptions } from './scribble.js';

/**
 * The one entry point from a control source (a layer's pixels within the frame, a sketch, a file) to the map
 * a ControlNet takes: opaque RGB, the size of the source. The CLI (`--control-type`) and the app's Control
 * section both call this, so a map made in either looks the same. Pure: no DOM, no fs.
 */
export interface ControlMapOptions {
  canny?: Partial<CannyOptions>;
  scribble?: Partial<ScribbleOptions>;
}

export function controlMap(source: RgbaImage, type: ControlType, options: ControlMapOptions = {}): RgbaImage {
  if (source.width < 1 || source.height < 1 || source.data.length !== source.width * source.height * 4) {
    throw new RangeError(`control image must be RGBA pixels (${source.width}×${source.height} with ${source.data.length} bytes)`);
  }
  switch (type) {
    case 'canny':
      return grayToRgba(cannyEdges(source, options.canny));
    case 'scribble':
      return grayToRgba(scribbleLines(source, options.scribble));
    case 'none':
      return overBlack(source);
  }
}

/** A ready-made map: transparent pixels are "no control", i.e. black, as the maps' background is. */
function overBlack(source: RgbaImage): RgbaImage {
  const data = new Uint8Array(source.data.length);
  for (let i = 0; i < data.length; i += 4) {
    const a = source.data[i + 3]! / 255;
    data[i] = Math.round(source.data[i]! * a);
    data[i + 1] = Math.round(source.data[i + 1]! * a);
    data[i + 2] = Math.round(source.data[i + 2]! * a);
    data[i + 3] = 255;
  }
  return { width: source.width, height: source.height, data };
}
