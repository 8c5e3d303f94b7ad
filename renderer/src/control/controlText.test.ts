import { describe, expect, it } from 'vitest';
import { controlText } from './controlText.js';

describe('controlText', () => {
  it('names each control for a History row, and nothing when there is none', () => {
    const imageId = 'a'.repeat(64);
    expect(controlText(undefined)).toBe('');
    expect(controlText([])).toBe('');
    expect(controlText([{ model: 'cn-scribble', imageId, type: 'scribble', scale: 1, start: 0, end: 1 }])).toBe(' · control scribble ×1 (cn-scribble)');
    expect(controlText([
      { model: 'cn-a', imageId, type: 'canny', scale: 0.5, start: 0.2, end: 0.8 },
      { model: 'cn-b', imageId, type: 'none', scale: 1.5, start: 0, end: 1 },
    ])).toBe(' · control canny ×0.5 0.2–0.8 (cn-a), none ×1.5 (cn-b)');
  });
});
