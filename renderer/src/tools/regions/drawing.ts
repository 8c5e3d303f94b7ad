import { MAX_REGIONS } from '../../../../electron/contract/generation.js';
import { newId } from '../../document/newDocument.js';
import { regionRect } from '../../document/regions.js';
import type { ToolPointer, ToolState } from '../toolTypes.js';
import type { RegionStart, RegionsState } from './index.js';

const rectFor = (memo: RegionStart, p: ToolPointer) => regionRect(memo.startX, memo.startY, p.x, p.y);

/** Regions tool, drawing: the rectangle follows the pointer on the 8-px latent grid; release adds the region (one undo step). */
export const regionsDrawing: ToolState<RegionsState, RegionStart> = {
  status: 'Release to add the region (snapped to 8 px) · Esc discards it',
  onPointerMove(editor, memo, p) {
    editor.store.setSession({ region: rectFor(memo, p) });
  },
  onPointerUp(editor, memo, p) {
    const s = editor.store;
    s.setSession({});
    const rect = rectFor(memo, p);
    const regions = editor.doc.regions ?? [];
    if (rect.width > 0 && rect.height > 0 && regions.length >= MAX_REGIONS) {
      s.setGenerate({ notice: `A picture takes at most ${MAX_REGIONS} regions; delete one to draw another.` });
    } else if (rect.width > 0 && rect.height > 0) {
      const region = { id: newId('region'), ...rect, prompt: '' };
      s.perform({ type: 'setRegions', regions: [...regions, region] }, 'Add region');
      s.selectRegion(region.id);
    }
    return 'idle';
  },
  onCancel(editor) {
    editor.store.setSession({});
    return 'idle';
  },
};
