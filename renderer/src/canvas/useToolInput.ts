import { useEffect, useRef, useState } from 'react';
import { useStore } from '../state/store.js';
import { ZOOM_STEP } from '../state/viewSlice.js';
import { appEditor } from '../tools/editor.js';
import { TOOLS } from '../tools/tools.js';
import type { ActiveTool, ToolPointer } from '../tools/toolTypes.js';

/**
 * Routes pointer, wheel and key input on the canvas element to the active tool's state machine
 * (Space held = Hand for the gesture). View-only: tools decide what changes. Returns the active tool's
 * status line (its state's hint).
 */
export function useToolInput(el: React.RefObject<HTMLDivElement | null>): string {
  const tool = useStore((s) => s.tool);
  const runner = useRef<ActiveTool | null>(null);
  const spaceRunner = useRef<ActiveTool | null>(null);
  const spaceDown = useRef(false);
  const [status, setStatus] = useState(TOOLS[tool].status);

  useEffect(() => {
    runner.current?.dispose();
    runner.current = TOOLS[tool].start(appEditor);
    setStatus(runner.current.status);
    return () => runner.current?.dispose();
  }, [tool]);

  useEffect(() => {
    const node = el.current;
    if (!node) return;
    const toPointer = (e: PointerEvent | WheelEvent): ToolPointer => {
      const r = node.getBoundingClientRect();
      const { zoom, panX, panY } = useStore.getState();
      const sx = e.clientX - r.left;
      const sy = e.clientY - r.top;
      return { sx, sy, x: (sx - panX) / zoom, y: (sy - panY) / zoom, shift: e.shiftKey, alt: e.altKey };
    };
    const active = (): ActiveTool | null => spaceRunner.current ?? runner.current;
    const showStatus = () => setStatus((spaceRunner.current ?? runner.current)?.status ?? '');
    const down = (e: PointerEvent) => {
      if (e.button !== 0 && e.button !== 1) return;
      node.setPointerCapture(e.pointerId);
      if (spaceDown.current || e.button === 1) spaceRunner.current = TOOLS.hand.start(appEditor);
      active()?.pointerDown(toPointer(e));
      showStatus();
      e.preventDefault();
    };
    const move = (e: PointerEvent) => {
      const p = toPointer(e);
      cursor.x = p.x;
      cursor.y = p.y;
      cursor.inside = true;
      // Coalesced events keep strokes smooth when frames are slower than the pointer.
      const events = e.getCoalescedEvents?.() ?? [];
      if (events.length > 1 && active()?.everyMove) for (const c of events) active()?.pointerMove(toPointer(c));
      else active()?.pointerMove(p);
      // Hover feedback comes from the tool's state (never from a switch on the tool's name).
      if (!node.hasPointerCapture(e.pointerId)) {
        const runner = active();
        if (runner) node.style.cursor = runner.hoverCursor(p) ?? runner.hints.cursor;
      }
      for (const l of cursorListeners) l();
    };
    const up = (e: PointerEvent) => {
      active()?.pointerUp(toPointer(e));
      spaceRunner.current = null;
      showStatus();
    };
    const lost = () => {
      if (spaceRunner.current) {
        spaceRunner.current = null;
        showStatus();
        return;
      }
      if (runner.current && !runner.current.idle) runner.current.cancel();
      showStatus();
    };
    const leave = () => {
      cursor.inside = false;
      for (const l of cursorListeners) l();
    };
    const wheel = (e: WheelEvent) => {
      e.preventDefault();
      const p = toPointer(e);
      const s = useStore.getState();
      // One notch (deltaY 100) is one 1.25× step, as the zoom buttons, with or without Ctrl (pinch sends
      // Ctrl with small deltas, which scale proportionally).
      if (e.ctrlKey || !e.shiftKey) s.zoomAt(Math.pow(ZOOM_STEP, -e.deltaY / 100), p.sx, p.sy);
      else s.setView({ panX: s.panX - e.deltaX, panY: s.panY - e.deltaY });
    };
    const keydown = (e: KeyboardEvent) => {
      if (isTyping(e)) return;
      if (e.code === 'Space') {
        spaceDown.current = true;
        node.dataset.spacePan = 'true'; // the hand cursor, as in Photoshop and Krita
        e.preventDefault();
      }
      if (e.key === 'Escape') {
        active()?.cancel();
        showStatus();
      }
    };
    const keyup = (e: KeyboardEvent) => {
      if (e.code === 'Space') {
        spaceDown.current = false;
        delete node.dataset.spacePan;
      }
    };
    node.addEventListener('pointerdown', down);
    node.addEventListener('pointermove', move);
    node.addEventListener('pointerup', up);
    node.addEventListener('lostpointercapture', lost);
    node.addEventListener('pointerleave', leave);
    node.addEventListener('wheel', wheel, { passive: false });
    window.addEventListener('keydown', keydown);
    window.addEventListener('keyup', keyup);
    return () => {
      node.removeEventListener('pointerdown', down);
      node.removeEventListener('pointermove', move);
      node.removeEventListener('pointerup', up);
      node.removeEventListener('lostpointercapture', lost);
      node.removeEventListener('pointerleave', leave);
      node.removeEventListener('wheel', wheel);
      window.removeEventListener('keydown', keydown);
      window.removeEventListener('keyup', keyup);
    };
  }, [el]);
  return status;
}

export function isTyping(e: KeyboardEvent): boolean {
  const t = e.target as HTMLElement | null;
  return !!t && (t.tagName === 'INPUT' || t.tagName === 'TEXTAREA' || t.tagName === 'SELECT' || t.isContentEditable);
}

/** Pointer position in document pixels, for the brush cursor (outside React state: it moves every frame). */
export const cursor = { x: 0, y: 0, inside: false };
export const cursorListeners = new Set<() => void>();
