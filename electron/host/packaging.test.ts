import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The package's dependency lists say what runs where: what the CLI, `serve` and Electron main import at
 * run time is a `dependency` (an `--omit=dev` install runs them); the renderer's libraries are bundled by
 * Vite and stay devDependencies. The lock file names every platform's optional packages, so `npm ci`
 * works on any machine.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string>; devDependencies: Record<string, string>; scripts: Record<string, string> };
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as {
  packages: Record<string, { version?: string; optionalDependencies?: Record<string, string>; dependencies?: Record<string, string> }>;
};

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) {
      if (name !== 'testing' && name !== 'node_modules') out.push(...sources(path));
    } else if (/\.(ts|mjs)$/.test(name) && !/\.test\.ts$|\.testutil\.ts$/.test(name)) out.push(path);
  }
  return out;
}

/** Bare package names a file imports (static, dynamic and `import type` excluded). */
function packagesImported(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const names = new Set<string>();
  for (const m of text.matchAll(/^\s*(?:import|export)\s+(?!type\s)[^;]*?from\s+'([^'.][^']*)'|import\('([^'.][^']*)'\)/gm)) {
    const spec = m[1] ?? m[2];
    if (spec.startsWith('node:') || spec === 'electron') continue;
    names.add(spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]);
  }
  return [...names];
}

/** Where npm would find `name` from the package at `from` (walking up node_modules folders). */
function resolveInLock(from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = `${base ? `${base}/` : ''}node_modules/${name}`;
    if (lock.packages[candidate]) return candidate;
    if (!base) return undefined;
    const i = base.lastIndexOf('node_modules/');
    base = i <= 0 ? '' : base.slice(0, i - 1);
  }
}

describe('packaging', () => {
  it('everything the headless hosts and main import at run time is a dependency', () => {
    const runtime = ['electron/core', 'electron/host', 'electron/contract', 'electron/main'].flatMap((d) => sources(join(ROOT, d)));
    const missing: string[] = [];
    for (const file of runtime) {
      for (const name of packagesImported(file)) {
        // vite builds the renderer for serve's first run; without devDependencies serve says so (buildRenderer.ts).
        if (name === 'vite' && file.endsWith('buildRenderer.ts')) continue;
        if (!pkg.dependencies[name]) missing.push(`${relative(ROOT, file)} imports ${name}`);
      }
    }
    expect(missing).toEqual([]);
    // The scripts users run: `npm run cli` and `npm run serve` start through tsx.
    expect(pkg.scripts.cli).toMatch(/^tsx /);
    expect(pkg.dependencies.tsx).toBeDefined();
  });

  it('renderer-only libraries are devDependencies, and every dependency is used', () => {
    for (const name of ['react', 'react-dom', 'react-konva', 'konva', 'zustand']) {
      expect(pkg.dependencies[name], name).toBeUndefined();
      expect(pkg.devDependencies[name], name).toBeDefined();
    }
    const used = new Set(['electron/core', 'electron/host', 'electron/contract', 'electron/main', 'renderer/src'].flatMap((d) => sources(join(ROOT, d))).flatMap(packagesImported));
    used.add('tsx');
    expect(Object.keys(pkg.dependencies).filter((n) => !used.has(n))).toEqual([]);
    expect(pkg.dependencies.zundo ?? pkg.devDependencies.zundo).toBeUndefined();
  });

  it('the lock file names every optional platform package of every package (npm ci anywhere)', () => {
    const missing: string[] = [];
    for (const [path, entry] of Object.entries(lock.packages)) {
      for (const name of Object.keys(entry.optionalDependencies ?? {})) {
        if (!resolveInLock(path, name)) missing.push(`${path || '(root)'} → ${name}`);
      }
    }
    expect(missing).toEqual([]);
    expect(lock.packages['node_modules/@rollup/rollup-darwin-arm64']?.version).toBe(lock.packages['node_modules/rollup']?.version);
    // The lock agrees with package.json.
    const root = lock.packages[''] as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
    expect(root.dependencies).toEqual(pkg.dependencies);
    expect(root.devDependencies).toEqual(pkg.devDependencies);
  });
});
