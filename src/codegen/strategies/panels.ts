// The loop over 8-wide column/channel panels of a workgroup's range [p0, pEnd): full panels,
// then the last, partial one. With at most two panels the code names each panel by a constant,
// so per-channel operands baked into the kernel (≤ 16 elements) fold to immediates in the
// epilogue instead of a select chain over the channel.
import { cmp, i32, min } from '../expr.js';
import type { Expr } from '../kernel-ir.js';
import type { KernelBuilder } from './kernel-builder.js';

export const PANEL_WIDTH = 8;
const STATIC_PANELS = 2;

export function emitPanels(b: KernelBuilder, panels: number, extent: number, p0: Expr, pEnd: Expr, body: (p: Expr, lanes: number) => void): void {
  const full = Math.floor(extent / PANEL_WIDTH);
  const lanesOf = (p: number): number => Math.min(PANEL_WIDTH, extent - p * PANEL_WIDTH);
  if (panels <= STATIC_PANELS) {
    for (let p = 0; p < panels; p++) {
      b.when({ k: 'binary', op: 'and', a: cmp('le', p0, i32(p)), b: cmp('gt', pEnd, i32(p)), t: 'i32' }, () => body(i32(p), lanesOf(p)));
    }
    return;
  }
  b.loop(p0, min(pEnd, i32(full)), (p) => body(p, PANEL_WIDTH));
  if (extent % PANEL_WIDTH !== 0) b.when(cmp('eq', pEnd, i32(panels)), () => body(i32(full), lanesOf(full)));
}
