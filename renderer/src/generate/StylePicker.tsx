import { useEffect, useId, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { api, errorMessage } from '../api/api.js';
import { useStore } from '../state/store.js';

async function loadStyles(): Promise<void> {
  const r = await api.listStyles();
  useStore.getState().setGenerate({ styles: r.styles, ...(r.notice ? { notice: r.notice } : {}) });
}

/**
 * Style presets: a picker (the style wraps the prompt at Generate, so the prompt box keeps only the user's
 * words) and "Save style", which keeps the current prompt, negative, sampler, steps and guidance as one.
 */
export function StylePicker() {
  const { styles, style } = useStore(useShallow((s) => ({ styles: s.styles, style: s.style })));
  const { prompt, negativePrompt, scheduler, steps, guidance } = useStore((s) => s.settings);
  const set = useStore.getState().setGenerate;
  const [naming, setNaming] = useState<string | null>(null);
  const id = useId();
  useEffect(() => {
    loadStyles().catch(() => undefined);
  }, []);
  const picked = styles.find((s) => s.name === style);
  const save = async () => {
    const name = naming?.trim() ?? '';
    if (!name) return;
    try {
      const saved = await api.saveStyle({ name, prompt, negativePrompt, scheduler, steps, guidance });
      await loadStyles();
      // The saved style holds the current prompt; keeping it in the box too would apply it twice.
      useStore.getState().setSettings({ prompt: '', negativePrompt: '' });
      set({ style: saved.style.name, notice: `Saved style "${saved.style.name}".` });
      setNaming(null);
    } catch (e) {
      set({ error: errorMessage(e) });
    }
  };
  return (
    <div className="field style-picker">
      <div className="label-row">
        <label htmlFor={id}>Style</label>
        {naming === null && <button type="button" className="chip" onClick={() => setNaming('')} title="Save the current prompt, negative prompt, scheduler, steps and guidance as a style">Save style…</button>}
      </div>
      <select id={id} value={style} onChange={(e) => set({ style: e.target.value })}>
        <option value="">No style</option>
        {styles.map((s) => <option key={s.name} value={s.name}>{s.name}</option>)}
      </select>
      {picked && <div className="style-template" title="Your prompt goes where {prompt} is">{picked.prompt}</div>}
      {naming !== null && (
        <div className="row style-save">
          <input aria-label="Style name" placeholder="Style name" value={naming} maxLength={60} autoFocus onChange={(e) => setNaming(e.target.value)}
            onKeyDown={(e) => { if (e.key === 'Enter') { e.preventDefault(); void save(); } if (e.key === 'Escape') setNaming(null); }} />
          <button type="button" onClick={() => void save()} disabled={!naming.trim()} aria-label="Save style">Save</button>
          <button type="button" onClick={() => setNaming(null)}>Cancel</button>
        </div>
      )}
    </div>
  );
}
