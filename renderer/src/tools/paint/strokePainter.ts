/**
 * Colour strokes of the Paint tool. The tool's states talk to this interface; the app installs the canvas
 * painter (canvas/colourStrokes.ts), headless tests a recording one. A stroke is drawn at once for the eye
 * and committed to the document once, on pointer-up (one undo step).
 */
export interface StrokePainter {
  /** `erase`: the stroke clears the selected layer's pixels instead of painting (the Eraser on a Control layer). */
  begin(x: number, y: number, size: number, hardness: number, colour: string, erase?: boolean): void;
  to(x: number, y: number): void;
  /** Commits the stroke into the document (async: the pixels are stored first); resolves when it is in. */
  end(): Promise<void>;
  cancel(): void;
}

let painter: StrokePainter | null = null;

export function setStrokePainter(next: StrokePainter): void {
  painter = next;
}

export function strokePainter(): StrokePainter {
  if (!painter) throw new Error('no stroke painter installed (main.tsx installs the canvas painter)');
  return painter;
}
