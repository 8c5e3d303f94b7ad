import { MAX_REGIONS } from '../../../../electron/contract/generation.js';
import { newId } from '../../document/newDocument.js';
import { regionRect } from '../../document/regions.js';
import { useStore } from '../../state/store.js';
import type { ToolMemo, ToolPointer, ToolState } from '../toolTypes.js';

const rectFor = (memo: ToolMemo, p: ToolPointer) => regionRect(memo.startX as number, memo.startY as number, p.x, p.y);

/** Regions tool, drawing: the rectangle follows the pointer on the 8-px latent grid; release adds the region (one undo step). */
export const regionsDrawing: ToolState = {
  onPointerMove(memo, p) {
    useStore.getState().setSession({ region: rectFor(memo, p) });
  },
  onPointerUp(memo, p) {
    const s = useStore.getState();
    s.setSession({});
    const rect = rectFor(memo, p);
    const regions = s.undoHistory.doc.regions ?? [];
    if (rect.width > 0 && rect.height > 0 && regions.length >= MAX_REGIONS) {
      s.setGenerate({ notice: `A picture takes at most ${MAX_REGIONS} regions; delete one to draw another.` });
    } else if (rect.width > 0 && rect.height > 0) {
      const region = { id: newId('region'), ...rect, prompt: '' };
      s.perform({ type: 'setRegions', regions: [...regions, region] }, 'Add region');
      s.selectRegion(region.id);
    }
    return 'idle';
  },
  onCancel() {
    useStore.getState().setSession({});
    return 'idle';
  },
};
