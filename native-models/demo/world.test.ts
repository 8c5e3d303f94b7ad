import { describe, expect, it } from 'vitest';
import { allowedColours, drawPrompts, farApart, WORLD } from './world.js';

describe('shapes-world grammar', () => {
  it('draws the same prompts from the same seed, different ones from another', () => {
    expect(drawPrompts(20, 5)).toEqual(drawPrompts(20, 5));
    expect(drawPrompts(20, 6).map((p) => p.prompt)).not.toEqual(drawPrompts(20, 5).map((p) => p.prompt));
  });

  it('names every attribute of the scene in its prompt and keeps the world rules', () => {
    const words = WORLD.words;
    for (const { scene, prompt } of drawPrompts(300, 1)) {
      const o = scene.objects[0];
      expect(allowedColours(scene.background)).toContain(o.colour);
      const colourWords = (words.colour as Record<string, string[]>)[o.colour] ?? [o.colour];
      expect(colourWords.some((w) => prompt.includes(w)), prompt).toBe(true);
      expect(prompt).toContain(o.shape);
      expect(words.size[o.size].some((w) => prompt.includes(w)), prompt).toBe(true);
      expect(words.place[o.place].some((w) => prompt.includes(w)), prompt).toBe(true);
      expect(words.background[scene.background].some((w) => prompt.includes(w)), prompt).toBe(true);
      expect(prompt).not.toMatch(/[{}]|\s{2}|^[\s,]|[\s,]$/);
    }
  });

  it('varies the wording', () => {
    const prompts = drawPrompts(200, 2).map((p) => p.prompt.replace(/red|green|blue|yellow|orange|purple|white|black/g, 'C'));
    expect(new Set(prompts).size).toBeGreaterThan(150);
  });

  it('gives two-object scenes distinct colours and places far apart', () => {
    for (const { scene } of drawPrompts(200, 3, 2)) {
      const [a, b] = scene.objects;
      expect(a.colour).not.toBe(b.colour);
      expect(farApart(a.place, b.place)).toBe(true);
    }
  });
});
