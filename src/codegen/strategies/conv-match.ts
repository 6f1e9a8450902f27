import type { Node, Value } from '../../ir/graph.js';
import { numAttr, resolveWindow, windowAttrs } from '../../ir/ops/linalg.js';
import type { DispatchRegion } from '../../ir/partition.js';
import { splitRegion, staticShape } from './region-parts.js';

/** A region rooted at a 2-D f32 conv, with the geometry the conv strategies need. */
export interface Conv2dMatch {
  parts: NonNullable<ReturnType<typeof splitRegion>>;
  root: Node;
  xv: Value;
  wv: Value;
  bias: Value | null | undefined;
  out: Value;
  xs: number[];
  ws: number[];
  os: number[];
  group: number;
  win: ReturnType<typeof windowAttrs>;
  pads: ReturnType<typeof resolveWindow>['pads'];
}

/**
 * Matches an unbatched region whose root is an f32 NCHW conv (dense or grouped); the caller
 * decides which group counts its kernel handles. Undefined when the region does not fit.
 */
export function matchConv2d(region: DispatchRegion): Conv2dMatch | undefined {
  if (region.batchedOutput || region.batchedInputs.some(Boolean)) return undefined;
  const parts = splitRegion(region, new Set(['conv']));
  if (!parts) return undefined;
  const root = parts.root;
  const [xv, wv, bias] = root.inputs;
  const out = root.outputs[0]!;
  if (!xv || !wv || xv.type.dtype !== 'f32' || wv.type.dtype !== 'f32' || out.type.dtype !== 'f32') return undefined;
  const xs = staticShape(xv);
  const ws = staticShape(wv);
  const os = staticShape(out);
  if (xs.length !== 4 || ws.length !== 4) return undefined;
  let win;
  try {
    win = windowAttrs(root.attrs, ws.slice(2));
  } catch {
    return undefined;
  }
  const { pads } = resolveWindow(xs.slice(2), win);
  return { parts, root, xv, wv, bias, out, xs: [...xs], ws: [...ws], os: [...os], group: numAttr(root.attrs, 'group', 1), win, pads };
}
