/**
 * Where the tiles of a tiled upscale go and how their outputs are blended. Pure maths, no I/O.
 *
 * Along each axis, tiles of `tile` input pixels are spread evenly from 0 to the far edge, so neighbours
 * share at least `overlap` pixels and every tile has the same size (fixed-shape models, one ORT plan).
 * In each shared strip the later tile's weight ramps 0 → 1 over the middle half of the overlap, centred on
 * the strip; the earlier tile's weight is 1 minus that. So the weights sum to 1 everywhere (no
 * normalisation pass), and each tile's outputs within `overlap / 4` input pixels of an inner edge — where
 * zero padding makes them wrong — get no weight at all: a model whose receptive field radius is at most
 * `overlap / 4` gives exactly its untiled result. 2-D weights are the product of the two axes'.
 */

export interface AxisTiles {
  /** Tile length in input pixels (the image length when it is shorter than the tile, unless padded). */
  size: number;
  /** Start of each tile, in input pixels. */
  starts: number[];
}

/** Tile starts along one axis of `length` pixels. `size` ≤ length; `overlap` < size / 2. */
export function axisTiles(length: number, size: number, overlap: number): AxisTiles {
  if (size >= length) return { size, starts: [0] };
  const n = Math.ceil((length - overlap) / (size - overlap));
  const span = length - size;
  // Even spread: stride span/(n-1) ≤ size - overlap, so every shared strip is ≥ overlap.
  const starts = Array.from({ length: n }, (_, i) => Math.floor((i * span) / (n - 1)));
  return { size, starts };
}

/**
 * Blend weights of tile `index` along one axis at output resolution (`size * scale` values): 1 inside,
 * ramps across the strips shared with its neighbours. `ramp` is the ramp's width as a fraction of the
 * overlap: ½ by default (the outer quarter on each side gets no weight), 1 spans the whole overlap
 * (refinement, where tiles differ in content, not only at their edges), 0 is a hard cut at the middle.
 */
export function axisWeights(tiles: AxisTiles, index: number, overlap: number, scale: number, ramp = 0.5): Float32Array {
  const { size, starts } = tiles;
  const s = starts[index]!;
  const out = new Float32Array(size * scale).fill(1);
  const half = (overlap * ramp) / 2; // half-width of the ramp, input pixels
  const step = (u: number, centre: number) => (half <= 0 ? (u >= centre ? 1 : 0) : Math.min(1, Math.max(0, (u - (centre - half)) / (2 * half))));
  for (let o = 0; o < out.length; o++) {
    const u = s + (o + 0.5) / scale; // input coordinate of this output pixel's centre
    let w = 1;
    if (index > 0) w *= step(u, (s + starts[index - 1]! + size) / 2);
    if (index < starts.length - 1) w *= 1 - step(u, (starts[index + 1]! + s + size) / 2);
    out[o] = w;
  }
  return out;
}

export interface TilePlan {
  width: number;
  height: number;
  scale: number;
  overlap: number;
  x: AxisTiles;
  y: AxisTiles;
  /** Tiles in row-major order. */
  count: number;
}

export interface TilePlanOptions {
  tile: number;
  overlap: number;
  /** The model only takes this input size: tiles have it, smaller images are padded to it. */
  fixed?: { width: number; height: number };
}

/** One sentence for impossible tile settings, or undefined when they are fine. */
export function tileSettingsProblem(tile: number, overlap: number): string | undefined {
  if (!Number.isInteger(tile) || tile < 16) return `the tile size must be a whole number of at least 16 pixels (got ${tile})`;
  if (!Number.isInteger(overlap) || overlap < 0) return `the tile overlap must be a whole number of pixels, 0 or more (got ${overlap})`;
  if (overlap * 2 >= tile) return `the tile overlap (${overlap}) must be less than half the tile size (${tile})`;
  return undefined;
}

export function planTiles(width: number, height: number, scale: number, opts: TilePlanOptions): TilePlan {
  const tw = opts.fixed?.width ?? Math.min(opts.tile, width);
  const th = opts.fixed?.height ?? Math.min(opts.tile, height);
  // A fixed-size model with a tile smaller than twice the overlap: shrink the overlap rather than fail.
  const overlap = Math.min(opts.overlap, Math.floor((Math.min(tw, th) - 1) / 2));
  const x = axisTiles(width, tw, overlap);
  const y = axisTiles(height, th, overlap);
  return { width, height, scale, overlap, x, y, count: x.starts.length * y.starts.length };
}

/** Host memory a streamed tiled upscale holds, in bytes (the model's own working memory is extra). */
export function streamedUpscaleBytes(plan: TilePlan): number {
  const outW = plan.width * plan.scale;
  const tileIn = 3 * plan.x.size * plan.y.size * 4;
  const tileOut = tileIn * plan.scale * plan.scale;
  const input = plan.width * plan.height * 4;
  // One band of output rows as float RGB, the same rows as 8-bit RGBA on their way out, the tile tensors
  // twice (our copy and the runtime's).
  const band = plan.y.size * plan.scale * outW * (3 * 4 + 4);
  return input + band + 2 * (tileIn + tileOut);
}
