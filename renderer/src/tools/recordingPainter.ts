import type { StrokePainter } from './paint/strokePainter.js';

/** For tool tests: a painter that writes down what the tool asked for (the canvas painter does the pixels; e2e checks those). */
export class RecordingPainter implements StrokePainter {
  calls: string[] = [];
  begin(x: number, y: number, size: number, _hardness: number, colour: string, erase = false) {
    this.calls.push(`begin ${x},${y} ${size} ${colour}${erase ? ' erase' : ''}`);
  }
  to(x: number, y: number) {
    this.calls.push(`to ${x},${y}`);
  }
  async end() {
    this.calls.push('end');
  }
  cancel() {
    this.calls.push('cancel');
  }
}
