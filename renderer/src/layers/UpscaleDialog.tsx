import { useEffect, useId, useState } from 'react';
import type { UpscalerSummary } from '../../../electron/contract/api.js';
import type { RasterLayer } from '../../../electron/contract/document.js';
import { api, errorMessage } from '../api/api.js';
import { upscaleLayer } from './upscaleFlow.js';

const FACTORS = [2, 3, 4] as const;

/** Upscale… for the selected layer: model, factor, refine strength (0 = none). */
export function UpscaleDialog({ layer, onClose }: { layer: RasterLayer; onClose(): void }) {
  const [upscalers, setUpscalers] = useState<UpscalerSummary[] | null>(null);
  const [upscalerId, setUpscalerId] = useState('');
  const [factor, setFactor] = useState<string>('model');
  const [strength, setStrength] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const ids = { model: useId(), factor: useId(), strength: useId() };
  useEffect(() => {
    api.listUpscalers().then(
      ({ upscalers: list }) => {
        setUpscalers(list);
        setUpscalerId(list.find((u) => !u.problem)?.id ?? '');
      },
      (e) => setError(errorMessage(e)),
    );
  }, []);
  const chosen = upscalers?.find((u) => u.id === upscalerId);
  const scale = factor === 'model' ? undefined : Number(factor);
  const out = scale ?? chosen?.scale;
  return (
    <div className="modal-backdrop" onMouseDown={onClose}>
      <form role="dialog" aria-label="Upscale layer" className="modal" onMouseDown={(e) => e.stopPropagation()}
        onSubmit={(e) => {
          e.preventDefault();
          if (!upscalerId) return setError('No upscaler is installed: put an ONNX super-resolution model (model.onnx) in a folder under the models folder.');
          void upscaleLayer(layer, { upscalerId, scale, refineStrength: strength });
          onClose();
        }}>
        <h2>Upscale “{layer.name}”</h2>
        <label htmlFor={ids.model}>Upscaler</label>
        <select id={ids.model} value={upscalerId} onChange={(e) => setUpscalerId(e.target.value)} disabled={!upscalers?.length}>
          {upscalers?.length === 0 && <option value="">No upscalers installed</option>}
          {upscalers?.map((u) => <option key={u.id} value={u.id} disabled={!!u.problem}>{u.label}{u.scale ? ` (×${u.scale})` : ''}</option>)}
        </select>
        <label htmlFor={ids.factor}>Factor</label>
        <select id={ids.factor} value={factor} onChange={(e) => setFactor(e.target.value)}>
          <option value="model">The model's own{chosen?.scale ? ` (×${chosen.scale})` : ''}</option>
          {FACTORS.map((f) => <option key={f} value={String(f)}>×{f}</option>)}
        </select>
        <label htmlFor={ids.strength}>Refine strength (0 = none; about 0.3 adds detail with the current model)</label>
        <input id={ids.strength} type="number" min={0} max={1} step={0.05} value={strength} onChange={(e) => setStrength(Math.min(1, Math.max(0, Number(e.target.value) || 0)))} />
        <p className="hint">{layer.width}×{layer.height}{out ? ` → ${layer.width * out}×${layer.height * out}` : ''}; the result is a new layer, and the document grows to hold it.</p>
        {error && <div className="error" role="alert">{error}</div>}
        <div className="modal-actions">
          <button type="button" onClick={onClose}>Close</button>
          <button type="submit" className="primary" disabled={!upscalers}>Upscale</button>
        </div>
      </form>
    </div>
  );
}
