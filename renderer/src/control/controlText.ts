import type { ControlRef } from '../../../electron/contract/control.js';

/** The controls of a generation in a few words, for History rows: " · control scribble ×1 (controlnet-sd15-tiny)". */
export function controlText(controls: readonly ControlRef[] | undefined): string {
  if (!controls?.length) return '';
  const one = (c: ControlRef) => `${c.type} ×${c.scale}${c.start > 0 || c.end < 1 ? ` ${c.start}–${c.end}` : ''} (${c.model})`;
  return ` · control ${controls.map(one).join(', ')}`;
}
