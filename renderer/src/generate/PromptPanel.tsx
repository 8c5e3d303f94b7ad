import { useEffect, useId, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { SCHEDULER_NAMES, type InpaintBlend, type InpaintPrefill, type SchedulerName } from '../../../electron/contract/generation.js';
import { api } from '../api/api.js';
import { FRAME_MAX, FRAME_MIN, FRAME_MULTIPLE, sizeForAspect, snapFrame } from '../document/geometry.js';
import { setFrameCommand } from '../document/documentGrowth.js';
import { useStore } from '../state/store.js';
import type { TokenCount } from '../state/generateSlice.js';
import { generate } from './generateFlow.js';
import { RegionsPanel } from './RegionsPanel.js';
import { StylePicker } from './StylePicker.js';
import { applyModelDefaults } from './modelDefaults.js';
import { LoraPicker } from './LoraPicker.js';
import { ControlSection } from '../control/ControlSection.js';
import { MemoryEstimate } from './MemoryEstimate.js';

const ASPECTS: [string, number][] = [['1:1', 1], ['4:3', 4 / 3], ['3:4', 3 / 4], ['16:9', 16 / 9], ['9:16', 9 / 16]];
const SCHEDULER_LABELS: Record<SchedulerName, string> = {
  euler: 'Euler', 'euler-a': 'Euler a', ddim: 'DDIM', 'dpmpp-2m': 'DPM++ 2M', 'dpmpp-2m-karras': 'DPM++ 2M Karras', lcm: 'LCM',
};

/** Counts tokens as the user types (debounced); the core tokenizes on its own thread. */
function useTokenCount(text: string, modelId: string, key: 'promptTokens' | 'negativeTokens'): void {
  useEffect(() => {
    if (!modelId) return;
    const t = setTimeout(() => {
      api.tokenize(modelId, text).then(
        (r) => useStore.getState().setGenerate({ [key]: { count: r.tokenCount, max: r.maxTokens, chunks: r.chunks } }),
        () => useStore.getState().setGenerate({ [key]: null }),
      );
    }, 150);
    return () => clearTimeout(t);
  }, [text, modelId, key]);
}

function Counter({ value }: { value: TokenCount | null }) {
  if (!value) return <span className="token-count" />;
  // Long prompts are encoded in 75-token chunks (A1111's rule), so the count is information, not a limit.
  const text = value.chunks > 1 ? `${value.count} tokens · ${value.chunks} chunks` : `${value.count}/${value.max}`;
  return <span className="token-count" aria-label="token count" title="75 tokens per chunk; longer prompts use more chunks">{text}</span>;
}

function NumberField(props: { label: string; value: number; min: number; max: number; step?: number; onChange(v: number): void; disabled?: boolean }) {
  const id = useId();
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <input id={id} type="number" value={props.value} min={props.min} max={props.max} step={props.step ?? 1} disabled={props.disabled}
        onChange={(e) => {
          const v = Number(e.target.value);
          if (Number.isFinite(v)) props.onChange(v);
        }} />
    </div>
  );
}

/** Frame size: edited as text, committed (snapped to 8, one undo step) on Enter, blur or the spinner arrows. */
function SizeField(props: { label: string; value: number; onCommit(v: number): void }) {
  const id = useId();
  const [text, setText] = useState(String(props.value));
  useEffect(() => setText(String(props.value)), [props.value]);
  const commit = () => {
    const v = Number(text);
    if (Number.isFinite(v) && v > 0 && v !== props.value) props.onCommit(v);
    // Show the value really used: a clamped entry equal to the current size changes nothing, so the
    // effect above would not rewrite the field (99999 stayed on screen while the frame was 2048).
    setText(String(props.value));
  };
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      <input id={id} type="number" min={FRAME_MIN} max={FRAME_MAX} step={FRAME_MULTIPLE} value={text} onChange={(e) => setText(e.target.value)} onBlur={commit}
        onKeyDown={(e) => { if (e.key === 'Enter') { e.preventDefault(); commit(); } }}
        onPointerUp={() => setTimeout(commit, 0)} />
    </div>
  );
}

export function PromptPanel() {
  const g = useStore(useShallow((s) => ({
    models: s.models, modelId: s.modelId, seedLocked: s.seedLocked, useCanvasAsInit: s.useCanvasAsInit,
    promptTokens: s.promptTokens, negativeTokens: s.negativeTokens, error: s.error, busy: s.job !== null,
  })));
  // The settings object changes identity only when a setting changes.
  const st = useStore((s) => s.settings);
  const frame = useStore((s) => s.undoHistory.doc.generationFrame);
  const set = useStore.getState().setGenerate;
  const setSettings = useStore.getState().setSettings;
  useTokenCount(st.prompt, g.modelId, 'promptTokens');
  useTokenCount(st.negativePrompt, g.modelId, 'negativeTokens');
  const ids = { prompt: useId(), negative: useId(), model: useId(), scheduler: useId(), blend: useId(), prefill: useId() };

  const setSize = (width: number, height: number) => {
    const f = snapFrame({ ...frame, width, height });
    // A frame larger than the document grows the document with it (one undo step): the frame stays inside.
    if (f.width !== frame.width || f.height !== frame.height) useStore.getState().perform(setFrameCommand(useStore.getState().undoHistory.doc, f), 'Resize frame');
  };

  return (
    <form className="prompt-panel" onSubmit={(e) => { e.preventDefault(); void generate(); }} aria-label="Generation settings">
      <div className="field">
        <div className="label-row"><label htmlFor={ids.prompt}>Prompt</label><Counter value={g.promptTokens} /></div>
        <textarea id={ids.prompt} rows={4} value={st.prompt} placeholder="Describe what to paint…" onChange={(e) => setSettings({ prompt: e.target.value })}
          onKeyDown={(e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); void generate(); } }} />
      </div>
      <div className="field">
        <div className="label-row"><label htmlFor={ids.negative}>Negative prompt</label><Counter value={g.negativeTokens} /></div>
        <textarea id={ids.negative} rows={2} value={st.negativePrompt} placeholder="What to avoid" onChange={(e) => setSettings({ negativePrompt: e.target.value })} />
      </div>
      <StylePicker />
      <RegionsPanel />
      {g.error && <div className="error" role="alert">{g.error}</div>}
      <button type="submit" className="primary generate" disabled={g.busy}>Generate</button>
      <MemoryEstimate modelId={g.modelId} width={frame.width} height={frame.height} batch={st.batch} guidance={st.guidance} />
      <div className="field">
        <label htmlFor={ids.model}>Model</label>
        <select id={ids.model} value={g.modelId} onChange={(e) => { set({ modelId: e.target.value }); applyModelDefaults(e.target.value); }}>
          {g.models.length === 0 && <option value="">No models found</option>}
          {g.models.map((m) => <option key={m.id} value={m.id}>{m.label && m.label !== m.name ? `${m.label} (${m.name})` : m.name}</option>)}
        </select>
      </div>
      <LoraPicker />
      <ControlSection />
      <div className="row">
        <SizeField label="Width" value={frame.width} onCommit={(v) => setSize(v, frame.height)} />
        <SizeField label="Height" value={frame.height} onCommit={(v) => setSize(frame.width, v)} />
      </div>
      <div className="aspects" role="group" aria-label="Aspect ratio">
        {ASPECTS.map(([label, ratio]) => (
          <button key={label} type="button" className="chip" onClick={() => { const s = sizeForAspect(frame.width, frame.height, ratio); setSize(s.width, s.height); }}>{label}</button>
        ))}
      </div>
      <div className="row">
        <NumberField label="Steps" value={st.steps} min={1} max={200} onChange={(v) => setSettings({ steps: Math.round(Math.min(200, Math.max(1, v))) })} />
        <NumberField label="Guidance" value={st.guidance} min={0} max={30} step={0.5} onChange={(v) => setSettings({ guidance: Math.min(30, Math.max(0, v)) })} />
      </div>
      <div className="field">
        <label htmlFor={ids.scheduler}>Scheduler</label>
        <select id={ids.scheduler} value={st.scheduler} onChange={(e) => setSettings({ scheduler: e.target.value as SchedulerName })}>
          {SCHEDULER_NAMES.map((n) => <option key={n} value={n}>{SCHEDULER_LABELS[n]}</option>)}
        </select>
      </div>
      <div className="row seed-row">
        <NumberField label="Seed" value={st.seed} min={0} max={4294967295} onChange={(v) => { setSettings({ seed: Math.round(Math.min(0xffffffff, Math.max(0, v))) }); set({ seedLocked: true }); }} />
        <button type="button" className={`chip lock${g.seedLocked ? ' on' : ''}`} aria-pressed={g.seedLocked} onClick={() => set({ seedLocked: !g.seedLocked })}
          title="Locked: reuse this seed. Unlocked: a new random seed each time.">{g.seedLocked ? 'Locked' : 'Random'}</button>
        <NumberField label="Batch" value={st.batch} min={1} max={16} onChange={(v) => setSettings({ batch: Math.round(Math.min(16, Math.max(1, v))) })} />
      </div>
      <label className="check"><input type="checkbox" checked={g.useCanvasAsInit} onChange={(e) => set({ useCanvasAsInit: e.target.checked })} /> Use canvas as init</label>
      {(g.useCanvasAsInit || st.prefill !== 'none') && (
        <NumberField label="Strength" value={st.strength} min={0.05} max={1} step={0.05} onChange={(v) => setSettings({ strength: Math.min(1, Math.max(0.05, v)) })} />
      )}
      <fieldset className="inpaint-options">
        <legend>Inpaint</legend>
        <label className="check"><input type="checkbox" checked={st.colorMatch} onChange={(e) => setSettings({ colorMatch: e.target.checked })} /> Match colours</label>
        <div className="row">
          <div className="field">
            <label htmlFor={ids.blend}>Blend</label>
            <select id={ids.blend} value={st.blend} onChange={(e) => setSettings({ blend: e.target.value as InpaintBlend })}>
              <option value="multiband">Multi-band</option>
              <option value="linear">Linear</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor={ids.prefill}>Pre-fill</label>
            <select id={ids.prefill} value={st.prefill} onChange={(e) => setSettings({ prefill: e.target.value as InpaintPrefill })}
              title="Fill the mask from its surroundings first (for removing things); uses Strength">
              <option value="none">None</option>
              <option value="patch">From surroundings</option>
            </select>
          </div>
        </div>
      </fieldset>
    </form>
  );
}
