import { z } from 'zod';
import { carries, channel, noArgs } from '../channel.js';
import type { LoraInfo } from '../lora.js';
import { StylePresetSchema, type StylePreset } from '../styles.js';

/** The user's own library of settings: style presets and LoRA files. */

export const settingsChannels = {
  /**
   * Style presets: the user's (styles.json in the data folder) and the shipped ones. `builtIn`: shipped
   * with the app (cannot be deleted); `notice`: the user's file could not be read.
   */
  'styles:list': channel({
    method: 'listStyles',
    request: z.object({}).strict(),
    response: carries<{ styles: (StylePreset & { builtIn: boolean })[]; notice?: string }>(),
    args: noArgs,
  }),
  /** Adds or replaces (same name) a user preset, e.g. saved from the current settings. */
  'styles:save': channel({
    method: 'saveStyle',
    request: z.object({ style: StylePresetSchema }).strict(),
    response: carries<{ style: StylePreset }>(),
    args: (style: z.input<typeof StylePresetSchema>) => ({ style }),
  }),
  'styles:delete': channel({
    method: 'deleteStyle',
    request: z.object({ name: z.string().trim().min(1).max(60) }).strict(),
    response: carries<{ deleted: boolean }>(),
    args: (name: string) => ({ name }),
  }),
  /** LoRAs in <data>/loras (name, SHA-256, size). */
  'loras:list': channel({
    method: 'listLoras',
    request: z.object({}).strict(),
    response: carries<{ loras: LoraInfo[] }>(),
    args: noArgs,
  }),
  /** A .safetensors LoRA the user picked (bytes, never a path), checked and copied into <data>/loras. */
  'loras:import': channel({
    method: 'importLora',
    request: z.object({
      fileName: z.string().min(1).max(255).regex(/^[^/\\]+\.safetensors$/i, 'file must be a .safetensors LoRA'),
      bytes: z.instanceof(Uint8Array).refine((b) => b.byteLength > 8 && b.byteLength <= 2 ** 31, 'file must be 9 bytes .. 2 GiB'),
    }).strict(),
    response: carries<{ lora: LoraInfo }>(),
    args: (fileName: string, bytes: Uint8Array) => ({ fileName, bytes: bytes as Uint8Array<ArrayBuffer> }),
    upload: { path: 'lora', maxBytes: 2 ** 31 },
  }),
};
