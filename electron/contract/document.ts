import { z } from 'zod';
import { GenerationSettingsSchema, MAX_REGIONS } from './generation.js';
import { ImageIdSchema } from './ids.js';

/**
 * The Atelier document: plain, versioned data shared by the renderer, the store and the exporters.
 * Pixels are referenced by content hash (`imageId` = sha256 hex of the PNG bytes); a saved `.atelier`
 * file carries them alongside the JSON. Nothing here imports React, Konva, zustand or Electron.
 */
export const DOCUMENT_TYPE = 'atelier-document';
export const DOCUMENT_VERSION = 1;

export const BLEND_MODES = [
  'normal', 'multiply', 'screen', 'overlay', 'darken', 'lighten',
  'color-dodge', 'color-burn', 'hard-light', 'soft-light', 'difference', 'exclusion',
] as const;
export type BlendMode = (typeof BLEND_MODES)[number];

export { ImageIdSchema };

/** What a raster layer is for, beyond being part of the picture (the default, no role). */
export const LAYER_ROLES = ['control'] as const;

/** A layer mask: gray pixels placed in document coordinates (255 shows the layer, 0 hides it). */
export const LayerMaskSchema = z.object({
  imageId: ImageIdSchema,
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
});
export type LayerMask = z.infer<typeof LayerMaskSchema>;

/** What produced a layer, so names and exports can say it and history can re-run it. */
export const LayerSourceSchema = z.object({
  historyEntryId: z.string().optional(),
  model: z.string().optional(),
  settings: GenerationSettingsSchema.optional(),
  /**
   * The layer's pixels were changed after generation (a Paint stroke, anything that replaced its image):
   * `settings` stay as history of what it was made from, but no longer reproduce it. Absent: untouched.
   */
  edited: z.boolean().optional(),
});
export type LayerSource = z.infer<typeof LayerSourceSchema>;

export const RasterLayerSchema = z.object({
  id: z.string().min(1),
  kind: z.literal('raster'),
  name: z.string().max(255),
  /** Top-left in document pixels; may be negative or past the edge (outpainting). */
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  opacity: z.number().min(0).max(1),
  visible: z.boolean(),
  blendMode: z.enum(BLEND_MODES),
  imageId: ImageIdSchema,
  mask: LayerMaskSchema.optional(),
  /** Group this layer belongs to (id of a group layer), if any. */
  parentId: z.string().optional(),
  source: LayerSourceSchema.optional(),
  /**
   * 'control': a Control layer (issue 20), a sketch or guide a ControlNet follows. Shown on the canvas, kept
   * in `.atelier`, exported as a hidden layer, never part of the picture (composite, init image, flattened
   * export). Absent in every document written before Control layers existed: an image layer.
   */
  role: z.enum(LAYER_ROLES).optional(),
});
export type RasterLayer = z.infer<typeof RasterLayerSchema>;

export const isControlLayer = (layer: Layer): layer is RasterLayer => layer.kind === 'raster' && layer.role === 'control';

/** Whether a layer is part of the picture (compositor, init image, flattened and layered exports' visibility). */
export const inPicture = (layer: Layer): boolean => layer.visible && !isControlLayer(layer);

export const GroupLayerSchema = z.object({
  id: z.string().min(1),
  kind: z.literal('group'),
  name: z.string().max(255),
  opacity: z.number().min(0).max(1),
  visible: z.boolean(),
  blendMode: z.enum(BLEND_MODES),
  parentId: z.string().optional(),
});
export type GroupLayer = z.infer<typeof GroupLayerSchema>;

export const LayerSchema = z.discriminatedUnion('kind', [RasterLayerSchema, GroupLayerSchema]);
export type Layer = z.infer<typeof LayerSchema>;

export const FrameSchema = z.object({
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
});
export type GenerationFrame = z.infer<typeof FrameSchema>;

/** A regional prompt drawn on the canvas (Regions tool), in document pixels; sent frame-relative as settings.regions. */
export const DocumentRegionSchema = z.object({
  id: z.string().min(1).max(100),
  x: z.number().int(),
  y: z.number().int(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  prompt: z.string().max(10_000),
  negativePrompt: z.string().max(10_000).optional(),
});
export type DocumentRegion = z.infer<typeof DocumentRegionSchema>;

/** The longest side of any image or document Atelier opens, decodes or makes (one limit: the codec, importers, compositor, schema). */
export const MAX_IMAGE_SIDE = 16384;

export const DocumentSchema = z.object({
  type: z.literal(DOCUMENT_TYPE),
  version: z.literal(DOCUMENT_VERSION),
  id: z.string().min(1),
  name: z.string().max(255),
  width: z.number().int().positive().max(MAX_IMAGE_SIDE),
  height: z.number().int().positive().max(MAX_IMAGE_SIDE),
  /** Bottom to top, as in Photoshop's layer stack read upwards. */
  layers: z.array(LayerSchema),
  generationFrame: FrameSchema,
  historyEntryIds: z.array(z.string()),
  /** Regional prompts (absent in documents written before regions existed). */
  regions: z.array(DocumentRegionSchema).max(MAX_REGIONS).optional(),
});
export type AtelierDocument = z.infer<typeof DocumentSchema>;
