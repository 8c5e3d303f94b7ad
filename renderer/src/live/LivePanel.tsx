import { useEffect, useId, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { SCHEDULER_NAMES, type SchedulerName } from '../../../electron/contract/generation.js';
import { useStore } from '../state/store.js';
import { applyLive, finishLive } from './liveActions.js';
import { resetLiveSettings, startLive, stopLive } from './liveController.js';
import { clampLive, stepsRun, type LiveSettings } from './liveDefaults.js';
import './live.css';

function Num(props: { label: string; value: number; min: number; max: number; step?: number; onChange(v: number): void }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <input id={id} type="number" value={props.value} min={props.min} max={props.max} step={props.step ?? 1}
        onChange={(e) => { const v = Number(e.target.value); if (Number.isFinite(v)) props.onChange(v); }} />
    </div>
  );
}

/** Live mode: the toggle, the draft settings (the model's fast ones), Apply and Finish. */
export function LivePanel() {
  const v = useStore(useShallow((s) => ({
    on: s.liveOn, visible: s.liveVisible, live: s.live, busy: s.liveBusy, error: s.liveError, hasResult: s.liveResult !== null,
    modelId: s.modelId, models: s.models, jobRunning: s.job !== null,
  })));
  const [finishModel, setFinishModel] = useState('');
  const ids = { scheduler: useId(), finish: useId() };
  // Another model: its own fast settings.
  useEffect(() => {
    if (useStore.getState().live) resetLiveSettings();
  }, [v.modelId]);
  const set = (p: Partial<LiveSettings>) => {
    const cur = useStore.getState().live;
    if (cur) useStore.getState().setLive({ live: clampLive({ ...cur, ...p }) });
  };
  const live = v.live;
  return (
    <section className="live-panel" aria-label="Live">
      <div className="live-head">
        <h2>Live</h2>
        <span className={`live-state${v.busy ? ' busy' : ''}`} aria-live="polite">{!v.on ? '' : v.busy ? 'Drafting…' : v.hasResult ? 'Up to date' : 'Waiting'}</span>
        <button type="button" className={`chip live-toggle${v.on ? ' on' : ''}`} aria-label="Live mode" aria-pressed={v.on} disabled={!v.modelId}
          title="Regenerate the frame from the canvas and the prompt whenever either changes" onClick={() => (v.on ? stopLive() : startLive())}>
          {v.on ? 'On' : 'Off'}
        </button>
      </div>
      {v.on && live && (
        <>
          <label className="check"><input type="checkbox" checked={v.visible} onChange={(e) => useStore.getState().setLive({ liveVisible: e.target.checked })} /> Show live preview</label>
          <div className="row">
            <Num label="Live strength" value={live.strength} min={0.05} max={1} step={0.05} onChange={(x) => set({ strength: x })} />
            <Num label="Live steps" value={live.steps} min={1} max={200} onChange={(x) => set({ steps: x })} />
          </div>
          <div className="live-note">runs {stepsRun(live.steps, live.strength)} step{stepsRun(live.steps, live.strength) === 1 ? '' : 's'} per draft</div>
          <div className="row">
            <Num label="Live guidance" value={live.guidance} min={0} max={30} step={0.5} onChange={(x) => set({ guidance: x })} />
            <div className="field">
              <label htmlFor={ids.scheduler}>Live scheduler</label>
              <select id={ids.scheduler} value={live.scheduler} onChange={(e) => set({ scheduler: e.target.value as SchedulerName })}>
                {SCHEDULER_NAMES.map((n) => <option key={n} value={n}>{n}</option>)}
              </select>
            </div>
          </div>
          <Num label="Live seed" value={live.seed} min={0} max={4294967295} onChange={(x) => set({ seed: x })} />
          {v.error && <div className="error" role="alert">{v.error}</div>}
          <div className="row live-actions">
            <button type="button" disabled={!v.hasResult} onClick={() => void applyLive()} title="Keep the draft on screen as a new layer">Apply</button>
            <button type="button" className="primary" disabled={v.jobRunning} onClick={() => void finishLive(finishModel)}
              title="Render the same frame, seed and prompt at full quality">Finish</button>
          </div>
          <div className="field">
            <label htmlFor={ids.finish}>Finish with</label>
            <select id={ids.finish} value={finishModel} onChange={(e) => setFinishModel(e.target.value)}>
              <option value="">This model, full steps</option>
              {v.models.filter((m) => m.id !== v.modelId).map((m) => <option key={m.id} value={m.id}>{m.label ?? m.name}</option>)}
            </select>
          </div>
        </>
      )}
    </section>
  );
}
