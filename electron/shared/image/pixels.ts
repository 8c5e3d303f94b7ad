/** Pixel containers shared by the renderer, the engine, the store and the exporters. Plain data, no I/O, no DOM. */

/** 8-bit RGBA, row-major, premultiplied alpha NOT applied. `data.length === width * height * 4`. */
export interface RgbaImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

/** 8-bit single channel (masks: 255 = repaint / visible, 0 = keep / hidden). `data.length === width * height`. */
export interface GrayImage {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8Array;
}

export function createRgba(width: number, height: number, fill?: readonly [number, number, number, number]): RgbaImage {
  const data = new Uint8Array(width * height * 4);
  if (fill) {
    for (let i = 0; i < data.length; i += 4) {
      data[i] = fill[0];
      data[i + 1] = fill[1];
      data[i + 2] = fill[2];
      data[i + 3] = fill[3];
    }
  }
  return { width, height, data };
}

export function createGray(width: number, height: number, fill = 0): GrayImage {
  const data = new Uint8Array(width * height);
  if (fill !== 0) data.fill(fill);
  return { width, height, data };
}

/** A mask as an opaque grey RGBA picture (for files and previews). */
export function grayToRgba(gray: GrayImage): RgbaImage {
  const data = new Uint8Array(gray.width * gray.height * 4);
  for (let i = 0; i < gray.data.length; i++) {
    const v = gray.data[i]!;
    data[i * 4] = v;
    data[i * 4 + 1] = v;
    data[i * 4 + 2] = v;
    data[i * 4 + 3] = 255;
  }
  return { width: gray.width, height: gray.height, data };
}
