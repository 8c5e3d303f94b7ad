import { z } from 'zod';
import { ImageIdSchema } from './ids.js';

/**
 * ControlNet guidance in a generation's settings (issue 20): what history records and "re-run exactly"
 * replays. The control image travels like the init image (uploaded with `images:put`, stored by id), and
 * is the map *after* preprocessing, so a re-run needs no preprocessor to reproduce the picture; `type`
 * records which preprocessor made it from the user's source (layer, sketch or file).
 */
export const CONTROL_TYPES = ['none', 'canny', 'scribble'] as const;
export type ControlType = (typeof CONTROL_TYPES)[number];

export const ControlRefSchema = z
  .object({
    /** Installed ControlNet model id (a model folder with `controlnet/model.onnx` or `model.onnx`). */
    model: z.string().min(1).max(200),
    /** The preprocessed control map (RGB, the size of the generation), stored in the image store. */
    imageId: ImageIdSchema,
    /** The preprocessor that turned the source into the map ('none' = the source is the map). */
    type: z.enum(CONTROL_TYPES).default('none'),
    /** diffusers' `controlnet_conditioning_scale`. */
    scale: z.number().min(0).max(2).default(1),
    /** diffusers' `control_guidance_start`/`end`: the fraction of the steps during which it applies. */
    start: z.number().min(0).max(1).default(0),
    end: z.number().min(0).max(1).default(1),
  })
  .refine((c) => c.start < c.end, 'control start must be before its end');
export type ControlRef = z.infer<typeof ControlRefSchema>;

/** Each ControlNet adds a network run per step (two with guidance), so the count is bounded. */
export const MAX_CONTROLS = 4;
