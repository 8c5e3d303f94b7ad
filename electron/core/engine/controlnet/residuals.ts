/**
 * ControlNet residuals as they travel between a ControlNet and a ControlNet-capable UNet: by the names
 * OnnxStack's exports give them (`down_block_N_additional_residual`, `mid_block_additional_residual`).
 * Pure: no sessions here.
 */
export type Residuals = Map<string, { data: Float32Array; dims: number[] }>;

export const RESIDUAL_INPUT = /^down_block_(\d+)_additional_residual$/;
export const MID_RESIDUAL = 'mid_block_additional_residual';

/**
 * Channels and resolution level (0 = latent size, each level halves) of each down residual and then the
 * mid one, from a diffusers UNet config: conv_in's output, then per block `layers_per_block` resnets and,
 * except after the last block, its downsampler, as the UNet collects its skip connections.
 * Undefined when the config lacks the fields or does not give `downCount` residuals.
 */
export function residualLevels(config: Record<string, unknown>, downCount: number): Array<{ channels: number; level: number }> | undefined {
  const ch = config['block_out_channels'];
  const layers = config['layers_per_block'];
  if (!Array.isArray(ch) || ch.length === 0 || !ch.every((c) => typeof c === 'number') || typeof layers !== 'number') return undefined;
  const out: Array<{ channels: number; level: number }> = [{ channels: ch[0] as number, level: 0 }];
  let level = 0;
  ch.forEach((c, i) => {
    for (let j = 0; j < layers; j++) out.push({ channels: c as number, level });
    if (i < ch.length - 1) out.push({ channels: c as number, level: ++level });
  });
  if (out.length !== downCount) return undefined;
  out.push({ channels: ch[ch.length - 1] as number, level });
  return out;
}

/** Adds `more` into `sum` in place (diffusers' MultiControlNetModel sums its nets' residuals). */
export function addResiduals(sum: Residuals, more: Residuals): void {
  for (const [name, r] of more) {
    const into = sum.get(name);
    if (!into) {
      sum.set(name, { data: Float32Array.from(r.data), dims: [...r.dims] });
      continue;
    }
    for (let i = 0; i < into.data.length; i++) into.data[i]! += r.data[i]!;
  }
}

/**
 * Whether a control applies at step `k` of the `n` steps the job runs, as diffusers' `controlnet_keep`:
 * off when k/n < start or (k+1)/n > end. Off, its scale is 0 and its residuals are zeros, so it is skipped.
 */
export function controlActive(k: number, n: number, start: number, end: number): boolean {
  return !(k / n < start || (k + 1) / n > end);
}
