import type { Layer } from '../../../electron/contract/document.js';
import { buildLayerTree, type LayerNode } from '../../../electron/shared/image/layerTree.js';
import type { DocCommand } from '../document/commands.js';

/**
 * The Layers panel's view of the stack: the document's flat bottom→top list read as the same tree the
 * compositor and the exporters use (`shared/image/layerTree.ts`), top first, with each row's depth. Pure.
 */
export interface LayerRowInfo {
  layer: Layer;
  /** Index in the document's flat list. */
  index: number;
  depth: number;
  /** Groups: how many layers they hold directly. */
  childCount?: number;
  /** A group it sits in is hidden, so it does not show whatever its own eye says. */
  hiddenByGroup?: boolean;
}

export function layerRows(layers: readonly Layer[], collapsed: ReadonlySet<string>): LayerRowInfo[] {
  const indexOf = new Map(layers.map((l, i) => [l.id, i]));
  const rows: LayerRowInfo[] = [];
  const walk = (nodes: readonly LayerNode[], depth: number, hiddenByGroup: boolean): void => {
    for (let i = nodes.length - 1; i >= 0; i--) {
      const node = nodes[i];
      rows.push({
        layer: node.layer, index: indexOf.get(node.layer.id)!, depth,
        ...(node.children ? { childCount: node.children.length } : {}), ...(hiddenByGroup ? { hiddenByGroup } : {}),
      });
      if (node.children && !collapsed.has(node.layer.id)) walk(node.children, depth + 1, hiddenByGroup || !node.layer.visible);
    }
  };
  walk(buildLayerTree(layers), 0, false);
  return rows;
}

/** The nodes that share a parent with `id` (bottom→top), or undefined when there is no such layer. */
function siblingsOf(nodes: readonly LayerNode[], id: string): readonly LayerNode[] | undefined {
  if (nodes.some((n) => n.layer.id === id)) return nodes;
  for (const n of nodes) {
    const found = n.children && siblingsOf(n.children, id);
    if (found) return found;
  }
  return undefined;
}

/**
 * Raise (+1) or lower (−1) a layer past its neighbour in its own group (what the panel shows), as the
 * flat-list move that does it; null when it is already the top / bottom of its group.
 */
export function stackMove(layers: readonly Layer[], id: string, direction: 1 | -1): DocCommand | null {
  const siblings = siblingsOf(buildLayerTree(layers), id);
  if (!siblings) return null;
  const neighbour = siblings[siblings.findIndex((n) => n.layer.id === id) + direction];
  if (!neighbour) return null;
  return { type: 'moveLayerInStack', id, toIndex: layers.findIndex((l) => l.id === neighbour.layer.id) };
}

/** A layer and, for a group, everything inside it (ids). */
export function withDescendants(layers: readonly Layer[], id: string): Set<string> {
  const ids = new Set([id]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const l of layers) {
      if (l.parentId !== undefined && ids.has(l.parentId) && !ids.has(l.id)) {
        ids.add(l.id);
        grew = true;
      }
    }
  }
  return ids;
}

/** Deleting a group deletes what it holds (as Photoshop and Krita do), in one undo step. */
export function removeCommand(layers: readonly Layer[], id: string): DocCommand {
  const ids = withDescendants(layers, id);
  if (ids.size === 1) return { type: 'removeLayer', id };
  // Top of the list first, so each inverse re-adds at the index it had.
  const commands: DocCommand[] = layers.filter((l) => ids.has(l.id)).reverse().map((l) => ({ type: 'removeLayer', id: l.id }));
  return { type: 'batch', label: 'Delete group', commands };
}
