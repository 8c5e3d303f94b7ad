import type { DocumentRegion } from '../../../electron/contract/document.js';
import { Rect, Text } from 'react-konva';
import { useShallow } from 'zustand/react/shallow';
import { useStore } from '../state/store.js';

/** One shared empty list: a fresh [] per render would make the shallow selector see a change every time. */
const NO_REGIONS: DocumentRegion[] = [];

const COLOURS = ['#ff7a59', '#59c3ff', '#b4ff59', '#ff59d6', '#ffd659', '#59ffb4', '#a159ff', '#ff5959'];

/** Regional prompts on the canvas: numbered, tinted rectangles with their prompt; the one being drawn dashed. */
export function RegionsOverlay({ zoom }: { zoom: number }) {
  const { regions, draft, selected, tool } = useStore(useShallow((s) => ({
    regions: s.undoHistory.doc.regions ?? NO_REGIONS, draft: s.session.region, selected: s.selectedRegionId, tool: s.tool,
  })));
  const faded = tool !== 'regions';
  return (
    <>
      {regions.map((r, i) => {
        const colour = COLOURS[i % COLOURS.length]!;
        const label = `${i + 1}  ${r.prompt.trim() || '(no prompt yet)'}`;
        return [
          <Rect key={`${r.id}-r`} x={r.x} y={r.y} width={r.width} height={r.height} fill={colour} opacity={faded ? 0.08 : 0.18} listening={false} />,
          <Rect key={`${r.id}-s`} x={r.x} y={r.y} width={r.width} height={r.height} stroke={colour} strokeWidth={(r.id === selected ? 3 : 1.5) / zoom}
            opacity={faded ? 0.5 : 1} listening={false} />,
          <Text key={`${r.id}-t`} x={r.x + 4 / zoom} y={r.y + 4 / zoom} width={Math.max(0, r.width - 8 / zoom)} text={label} fontSize={13 / zoom} fill="#ffffff"
            shadowColor="#000" shadowBlur={2 / zoom} shadowOpacity={0.9} wrap="none" ellipsis opacity={faded ? 0.6 : 1} listening={false} />,
        ];
      })}
      {draft && <Rect x={draft.x} y={draft.y} width={draft.width} height={draft.height} stroke="#ffffff" strokeWidth={1.5 / zoom} dash={[6 / zoom, 4 / zoom]} listening={false} />}
    </>
  );
}
