/**
 * The one vocabulary for a Stable Diffusion model's family, used by model-folder detection, the
 * catalogue, the engine and the API. SD 1.x and 2.x share a latent space (and a preview decoder); SDXL has
 * its own. Pure data: no Node, no DOM.
 */
export const MODEL_FAMILIES = ['sd1', 'sd2', 'sdxl'] as const;
export type ModelFamily = (typeof MODEL_FAMILIES)[number];
