import { useEffect, useState } from 'react';
import type { ApiResponses } from '../../../electron/contract/api.js';
import { combineLoras } from '../../../electron/contract/lora.js';
import { api } from '../api/api.js';
import { useStore } from '../state/store.js';

interface Props {
  modelId: string;
  width: number;
  height: number;
  batch?: number;
  guidance?: number;
  /** Models dialog: one line with the size it is for. */
  compact?: boolean;
}

/**
 * The engine's memory estimate for this model and size (debounced): "Memory ≈5.1 GB of 20.3 GB free",
 * or the sentence the engine would refuse the job with. The engine checks again when the job starts.
 */
export function MemoryEstimate({ modelId, width, height, batch = 1, guidance = 7, compact = false }: Props) {
  const [estimate, setEstimate] = useState<ApiResponses['models:estimate'] | null>(null);
  // Beside Generate, the Control section's ControlNets run with the job: the engine counts them, so does this.
  const controlKey = useStore((s) => (compact ? '' : s.controls.map((c) => c.model).filter(Boolean).join('\n')));
  // And the job's LoRAs (picker and prompt tags): which ones, not their strengths, change what a merge holds.
  const loraKey = useStore((s) => (compact ? '' : combineLoras(s.settings.loras, s.settings.prompt).map((l) => l.name).join('\n')));
  useEffect(() => {
    if (!modelId) return;
    let live = true;
    const controlNets = controlKey ? controlKey.split('\n') : [];
    const loras = loraKey ? loraKey.split('\n').map((name) => ({ name, strength: 1 })) : [];
    const t = setTimeout(() => {
      api.estimateMemory({ modelId, width, height, batch, guidance, controlNets, loras }).then(
        (r) => live && setEstimate(r),
        () => live && setEstimate(null),
      );
    }, 250);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [modelId, width, height, batch, guidance, controlKey, loraKey]);
  if (!estimate) return null;
  const where = estimate.device === 'gpu' ? 'GPU memory' : 'memory';
  const prefix = compact ? `At ${width}×${height}: ` : '';
  // Beside Generate the estimate is a live region (it follows the frame); a row of the Models dialog is
  // static text, and one status region per row would drown the dialog's own notice.
  const role = compact ? undefined : 'status';
  if (!estimate.fits) {
    return <div className="memory-estimate over" role={role} title={`Estimated peak ${where} for this job`}>{prefix}Won’t fit: {estimate.sentence}</div>;
  }
  return <div className="memory-estimate" role={role} title={`Estimated peak ${where} for this job`}>{prefix}Memory {estimate.summary}</div>;
}
