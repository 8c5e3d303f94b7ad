import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The import graph of electron/ and renderer/src has no cycles. Type-only imports (`import type`,
 * `export type … from`, or every named binding marked `type`) are erased at run time, so they do not
 * count; dynamic `import()` is lazy and does not count either. Walks the sources with TypeScript's
 * parser only (no type checking), so it takes well under a second.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE_ROOTS = ['electron', 'renderer/src'];

function sourceFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sourceFiles(path, out);
    else if (/\.(ts|tsx|mts)$/.test(name) && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

function resolveImport(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = resolve(dirname(from), specifier);
  const stem = base.replace(/\.(js|mjs|jsx|ts|tsx)$/, '');
  for (const candidate of [base, `${stem}.ts`, `${stem}.tsx`, `${stem}.mts`, join(base, 'index.ts'), join(base, 'index.tsx')]) {
    if (/\.(ts|tsx|mts)$/.test(candidate) && existsSync(candidate)) return candidate;
  }
  return undefined;
}

function isTypeOnly(node: ts.ImportDeclaration | ts.ExportDeclaration): boolean {
  if (ts.isExportDeclaration(node)) {
    if (node.isTypeOnly) return true;
    const clause = node.exportClause;
    return !!clause && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((e) => e.isTypeOnly);
  }
  const clause = node.importClause;
  if (!clause) return false; // a side-effect import runs the module
  if (clause.isTypeOnly) return true;
  if (clause.name) return false;
  const bindings = clause.namedBindings;
  return !!bindings && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly);
}

/** file → the files it imports at run time. */
export function runtimeImportGraph(files: string[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of files) {
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, false);
    const deps = new Set<string>();
    for (const statement of source.statements) {
      if (!ts.isImportDeclaration(statement) && !ts.isExportDeclaration(statement)) continue;
      const spec = statement.moduleSpecifier;
      if (!spec || !ts.isStringLiteral(spec) || isTypeOnly(statement)) continue;
      const target = resolveImport(file, spec.text);
      if (target) deps.add(target);
    }
    graph.set(file, [...deps]);
  }
  return graph;
}

/** Strongly connected components with more than one file (or a file importing itself): Tarjan. */
export function cyclicComponents(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const out: string[][] = [];
  const visit = (v: string): void => {
    indices.set(v, index);
    low.set(v, index++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, indices.get(w)!));
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) out.push(component.sort());
    }
  };
  for (const v of graph.keys()) if (!indices.has(v)) visit(v);
  return out;
}

/** One concrete loop inside a component, for the failure message. */
function oneLoop(graph: Map<string, string[]>, component: string[]): string[] {
  const inside = new Set(component);
  const start = component[0]!;
  const path = [start];
  const seen = new Set([start]);
  const walk = (v: string): boolean => {
    for (const w of graph.get(v) ?? []) {
      if (!inside.has(w)) continue;
      if (w === start) return true;
      if (seen.has(w)) continue;
      seen.add(w);
      path.push(w);
      if (walk(w)) return true;
      path.pop();
    }
    return false;
  };
  walk(start);
  return [...path, start];
}

/** Test and bench support: test files, `*.testutil.ts`, `testing/` and `fixtures/` folders. */
const isTestSupport = (file: string): boolean => /\.test\.tsx?$|\.testutil\.ts$|\/(testing|fixtures)\//.test(file);

/** The folder a file belongs to for layering: `electron/core/<x>`, `electron/shared/<x>`, else `electron/<x>` (contract, host, main, preload). */
function folderOf(file: string): string {
  const parts = relative(root, file).split('/');
  const depth = parts[1] === 'core' || parts[1] === 'shared' ? 3 : 2;
  return parts.slice(0, Math.min(depth, parts.length - 1)).join('/');
}

/** The folder graph of product code (test support left out): folder → the folders it imports at run time. */
export function folderGraph(graph: Map<string, string[]>): Map<string, string[]> {
  const folders = new Map<string, Set<string>>();
  for (const [file, deps] of graph) {
    if (isTestSupport(file)) continue;
    const from = folderOf(file);
    const set = folders.get(from) ?? new Set<string>();
    folders.set(from, set);
    for (const dep of deps) if (!isTestSupport(dep) && folderOf(dep) !== from) set.add(folderOf(dep));
  }
  return new Map([...folders].map(([k, v]) => [k, [...v]]));
}

describe('import graph', () => {
  it('has no cycles through run-time imports in electron/ and renderer/src', () => {
    const files = SOURCE_ROOTS.flatMap((dir) => sourceFiles(join(root, dir)));
    expect(files.length).toBeGreaterThan(100);
    const graph = runtimeImportGraph(files);
    const report = cyclicComponents(graph).map((component) =>
      `${component.length} files: ${oneLoop(graph, component).map((f) => relative(root, f)).join(' → ')}`);
    expect(report).toEqual([]);
  });

  // The renderer's folders share one zustand store (state/ ↔ its slices' folders), so only electron/ is layered by folder.
  it('has no cycles between electron/ folders (core/engine → core/models, never back; test support left out)', () => {
    const files = sourceFiles(join(root, 'electron'));
    const folders = folderGraph(runtimeImportGraph(files));
    expect(folders.has('electron/core/engine') && folders.has('electron/core/models')).toBe(true);
    const report = cyclicComponents(folders).map((component) => oneLoop(folders, component).join(' → '));
    expect(report).toEqual([]);
  });

  it('finds a cycle when there is one, and ignores type-only imports', () => {
    const graph = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']]]);
    expect(cyclicComponents(graph)).toEqual([['a', 'b', 'c']]);
    expect(cyclicComponents(new Map([['a', ['b']], ['b', []]]))).toEqual([]);
    const decl = (text: string) => ts.createSourceFile('x.ts', text, ts.ScriptTarget.Latest).statements[0] as ts.ImportDeclaration;
    expect(isTypeOnly(decl("import type { A } from './a.js';"))).toBe(true);
    expect(isTypeOnly(decl("import { type A, type B } from './a.js';"))).toBe(true);
    expect(isTypeOnly(decl("import { type A, b } from './a.js';"))).toBe(false);
    expect(isTypeOnly(decl("import './a.js';"))).toBe(false);
  });
});
