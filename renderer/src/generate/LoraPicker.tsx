import { useEffect, useId, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { MAX_LORAS } from '../../../electron/contract/lora.js';
import { api } from '../api/api.js';
import { useStore } from '../state/store.js';

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export async function refreshLoraLibrary(): Promise<void> {
  const { loras } = await api.listLoras();
  useStore.getState().setGenerate({ loraLibrary: loras });
}

/**
 * The prompt panel's LoRAs: pick from `<data>/loras` (or import a .safetensors file into it), one
 * strength slider each. `<lora:NAME:WEIGHT>` in the prompt works too; the core combines both.
 */
export function LoraPicker() {
  const { loras, library } = useStore(useShallow((s) => ({ loras: s.settings.loras, library: s.loraLibrary })));
  const set = useStore.getState().setGenerate;
  const setLoras = (next: typeof loras) => useStore.getState().setSettings({ loras: next });
  const selectId = useId();
  const fileRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    refreshLoraLibrary().catch(() => undefined);
  }, []);

  const add = (name: string) => {
    if (!name || loras.some((l) => l.name === name) || loras.length >= MAX_LORAS) return;
    setLoras([...loras, { name, strength: 1 }]);
  };
  const setStrength = (name: string, strength: number) => {
    if (!Number.isFinite(strength)) return;
    const s = Math.round(Math.min(2, Math.max(-2, strength)) * 100) / 100;
    setLoras(loras.map((l) => (l.name === name ? { ...l, strength: s } : l)));
  };
  const importFile = async (file: File) => {
    try {
      const { lora } = await api.importLora(file.name, new Uint8Array(await file.arrayBuffer()));
      await refreshLoraLibrary();
      add(lora.name);
      set({ notice: `LoRA "${lora.name}" imported.` });
    } catch (e) {
      set({ error: errorMessage(e) });
    }
  };
  const available = library.filter((l) => !loras.some((p) => p.name === l.name));

  return (
    <fieldset className="lora-picker" aria-label="LoRAs">
      <legend>LoRAs</legend>
      {loras.map((l) => (
        <div className="row lora-row" key={l.name} role="group" aria-label={`LoRA ${l.name}`}>
          <span className="lora-name" title={l.name}>{l.name}</span>
          <input type="range" min={-2} max={2} step={0.05} value={l.strength} aria-label={`${l.name} strength`}
            onChange={(e) => setStrength(l.name, Number(e.target.value))} />
          <input type="number" className="lora-strength" min={-2} max={2} step={0.05} value={l.strength} aria-label={`${l.name} strength value`}
            onChange={(e) => setStrength(l.name, Number(e.target.value))} />
          <button type="button" className="chip" aria-label={`Remove LoRA ${l.name}`} onClick={() => setLoras(loras.filter((x) => x.name !== l.name))}>×</button>
        </div>
      ))}
      <div className="row">
        <label htmlFor={selectId} className="visually-hidden">Add LoRA</label>
        <select id={selectId} value="" onChange={(e) => add(e.target.value)} disabled={available.length === 0 || loras.length >= MAX_LORAS}>
          <option value="">{library.length === 0 ? 'No LoRAs yet' : available.length === 0 ? 'All LoRAs added' : 'Add LoRA…'}</option>
          {available.map((l) => <option key={l.sha256} value={l.name}>{l.name}</option>)}
        </select>
        <button type="button" className="chip" onClick={() => fileRef.current?.click()}>Import…</button>
        <input ref={fileRef} type="file" accept=".safetensors" hidden aria-label="Import LoRA file"
          onChange={(e) => { const f = e.target.files?.[0]; e.target.value = ''; if (f) void importFile(f); }} />
      </div>
    </fieldset>
  );
}
