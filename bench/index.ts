import { benchControlNet } from './controlnet.js';
import { benchEngine } from './engine.js';
import { benchExport } from './export.js';
import { benchEventLoop } from './eventloop.js';
import { benchNumericCore } from './numericCore.js';
import { benchHistory } from './history.js';
import { benchHistoryPanel } from './historyPanel.js';
import { benchGpu } from './gpu.js';
import { benchInpaint } from './inpaint.js';
import { benchLora } from './lora.js';
import { benchLoraPart } from './loraPart.js';
import { benchLive } from './live.js';
import { benchRegions } from './regions.js';
import { benchOutpaint } from './outpaint.js';
import { benchInpaintColour } from './inpaintColour.js';
import { benchMemory } from './memory.js';
import { benchUi } from './ui.js';
import { benchUpscale } from './upscale.js';

/** `npm run bench -- [engine] [--model DIR] [--size N]`: measurements, never part of `npm test`. */
const BENCHES: Record<string, (args: string[]) => Promise<void>> = {
  engine: benchEngine,
  numeric: benchNumericCore,
  history: benchHistory,
  'history-panel': benchHistoryPanel,
  inpaint: benchInpaint,
  lora: benchLora,
  'lora-part': benchLoraPart,
  gpu: benchGpu,
  regions: benchRegions,
  controlnet: benchControlNet,
  outpaint: benchOutpaint,
  'inpaint-colour': benchInpaintColour,
  memory: benchMemory,
  export: benchExport,
  eventloop: benchEventLoop,
  ui: benchUi,
  upscale: benchUpscale,
  live: benchLive,
};

const [name = 'engine', ...rest] = process.argv.slice(2);
const bench = BENCHES[name];
if (!bench) {
  console.error(`unknown benchmark "${name}" (choose ${Object.keys(BENCHES).join(', ')})`);
  process.exitCode = 2;
} else {
  await bench(rest);
}
