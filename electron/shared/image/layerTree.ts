import type { GroupLayer, Layer, RasterLayer } from '../../contract/document.js';

/**
 * The document keeps layers as one bottom→top list with `parentId` links to groups. Exporters and the
 * compositor need a tree: siblings keep their relative list order, and a group sits in its parent's
 * stack where the group entry itself is listed. Broken links (missing parent, not a group, cycles) put
 * the layer at the top level rather than losing it.
 */
export type LayerNode =
  | { layer: RasterLayer; children?: undefined }
  | { layer: GroupLayer; children: LayerNode[] };

export function buildLayerTree(layers: readonly Layer[]): LayerNode[] {
  const groups = new Map<string, { layer: GroupLayer; children: LayerNode[] }>();
  const nodes = layers.map((layer): LayerNode => {
    if (layer.kind === 'group') {
      const node = { layer, children: [] as LayerNode[] };
      if (!groups.has(layer.id)) groups.set(layer.id, node);
      return node;
    }
    return { layer };
  });
  // A parent link is followed only if walking up from the layer reaches the top without a loop.
  const reachesRoot = (start: Layer): boolean => {
    const seen = new Set<string>([start.id]);
    let parent = start.parentId;
    while (parent !== undefined) {
      const group = groups.get(parent);
      if (!group || seen.has(parent)) return false;
      seen.add(parent);
      parent = group.layer.parentId;
    }
    return true;
  };
  const roots: LayerNode[] = [];
  for (const node of nodes) {
    const parent = node.layer.parentId !== undefined ? groups.get(node.layer.parentId) : undefined;
    if (parent && parent !== node && reachesRoot(node.layer)) parent.children.push(node);
    else roots.push(node);
  }
  return roots;
}

/** Raster layers of a subtree, bottom→top. */
export function rasterLayersOf(nodes: readonly LayerNode[]): RasterLayer[] {
  const out: RasterLayer[] = [];
  const walk = (list: readonly LayerNode[]): void => {
    for (const n of list) {
      if (n.children) walk(n.children);
      else out.push(n.layer);
    }
  };
  walk(nodes);
  return out;
}
