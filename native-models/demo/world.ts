/**
 * The demo model's world as a prompt grammar: the same rules and words as the Python drawer
 * (native-models/recipes/world.py), both read from world.json. Pure logic, seeded.
 */
import spec from './world.json';

export type ColourName = keyof typeof spec.colours;
export type ShapeName = 'circle' | 'square' | 'triangle' | 'star';
export type SizeName = 'small' | 'large';
export type PlaceName = keyof typeof spec.places;
export type BackgroundName = keyof typeof spec.backgrounds;

export interface SceneObject {
  shape: ShapeName;
  colour: ColourName;
  size: SizeName;
  place: PlaceName;
}
export interface Scene {
  background: BackgroundName;
  objects: SceneObject[];
}
export interface WorldPrompt {
  scene: Scene;
  prompt: string;
}

export const WORLD = spec;
export const COLOURS = Object.keys(spec.colours) as ColourName[];
export const SHAPES = spec.shapes as ShapeName[];
export const PLACES = Object.keys(spec.places) as PlaceName[];
export const BACKGROUNDS = Object.keys(spec.backgrounds) as BackgroundName[];

/** mulberry32: small, fast, good enough to draw test prompts reproducibly. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(rand: () => number, items: readonly T[]): T {
  if (items.length === 0) throw new Error('world: nothing to pick from');
  return items[Math.floor(rand() * items.length)];
}

export function allowedColours(background: BackgroundName): ColourName[] {
  const excludes: readonly string[] = spec.backgrounds[background].excludes;
  return COLOURS.filter((c) => !excludes.includes(c));
}

/** Two objects keep their places at least 0.4 apart (so the centre never pairs). */
export function farApart(p: PlaceName, q: PlaceName): boolean {
  const [ax, ay] = spec.places[p];
  const [bx, by] = spec.places[q];
  return Math.hypot(ax - bx, ay - by) >= 0.4;
}

export function randomScene(rand: () => number, objectCount: 1 | 2 = 1): Scene {
  const background = pick(rand, BACKGROUNDS);
  const objects: SceneObject[] = [];
  for (let i = 0; i < objectCount; i++) {
    const colours = allowedColours(background).filter((c) => objects.every((o) => o.colour !== c));
    const places = PLACES.filter((p) => objects.every((o) => farApart(p, o.place)) && (objectCount === 1 || p !== 'centre'));
    objects.push({
      shape: pick(rand, SHAPES),
      colour: pick(rand, colours),
      place: pick(rand, places),
      size: pick(rand, ['small', 'large'] as const),
    });
  }
  return { background, objects };
}

function tidy(text: string): string {
  let t = text.split(/\s+/).filter(Boolean).join(' ');
  while (t.includes(', ,')) t = t.replace(', ,', ',');
  return t.replaceAll(' ,', ',').replace(/^[\s,:]+|[\s,:]+$/g, '');
}

/** A prompt for the scene in one of the world's wordings (templates, synonyms). */
export function describe(scene: Scene, rand: () => number): string {
  const w = spec.words;
  const colourWords = w.colour as Record<string, string[]>;
  const fill = (template: string, o: SceneObject) =>
    template
      .replace('{size}', pick(rand, w.size[o.size]))
      .replace('{colour}', pick(rand, colourWords[o.colour] ?? [o.colour]))
      .replace('{shape}', o.shape)
      .replace('{place}', pick(rand, w.place[o.place]));
  const bg = pick(rand, w.background[scene.background]);
  if (scene.objects.length === 1) return tidy(fill(pick(rand, spec.templates), scene.objects[0]).replace('{background}', bg));
  const [a, b] = scene.objects.map((o) => fill(pick(rand, spec.objectTemplates), o));
  return tidy(pick(rand, spec.pairTemplates).replace('{object1}', a).replace('{object2}', b).replace('{background}', bg));
}

/** n prompts drawn from the grammar, reproducible from the seed. */
export function drawPrompts(n: number, seed: number, objectCount: 1 | 2 = 1): WorldPrompt[] {
  const rand = seededRandom(seed);
  return Array.from({ length: n }, () => {
    const scene = randomScene(rand, objectCount);
    return { scene, prompt: describe(scene, rand) };
  });
}
