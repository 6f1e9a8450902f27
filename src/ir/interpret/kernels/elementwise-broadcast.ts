// NumPy broadcasting for reference kernels: a plan with coalesced dims, and a row cursor over it.
import { stridesOf } from '../../tensor.js';
import { staticSize } from '../../types.js';

/** The broadcast result shape of static shapes; throws on incompatible extents. */
export function broadcastStatic(shapes: readonly (readonly number[])[]): number[] {
  const rank = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    for (let k = 0; k < s.length; k++) {
      const i = rank - s.length + k;
      const e = s[k]!;
      if (e === 1) continue;
      if (out[i] === 1) out[i] = e;
      else if (out[i] !== e) {
        throw new Error(`cannot broadcast shapes ${shapes.map((x) => `[${x.join(',')}]`).join(' and ')}`);
      }
    }
  }
  return out;
}

/**
 * How each input is read while walking the output in row-major order. Output dims of extent 1
 * are dropped and adjacent dims that every input walks contiguously are merged, so the
 * innermost loop is as long as possible.
 */
export interface BroadcastPlan {
  readonly outShape: readonly number[];
  readonly size: number;
  /** Coalesced extents, outermost first (at least one entry). */
  readonly dims: readonly number[];
  /** strides[input][dim]: element step of each input per step of each coalesced dim (0 = broadcast). */
  readonly strides: readonly (readonly number[])[];
}

export function planBroadcast(inShapes: readonly (readonly number[])[], outShape?: readonly number[]): BroadcastPlan {
  const out = outShape ?? broadcastStatic(inShapes);
  const rank = out.length;
  const aligned = inShapes.map((s) => {
    if (s.length > rank) throw new Error(`shape [${s.join(',')}] does not broadcast to [${out.join(',')}]`);
    const st = stridesOf(s);
    return out.map((d, i) => {
      const k = i - (rank - s.length);
      if (k < 0) return 0;
      const e = s[k]!;
      if (e === d) return st[k]!;
      if (e === 1) return 0;
      throw new Error(`shape [${s.join(',')}] does not broadcast to [${out.join(',')}]`);
    });
  });
  const dims: number[] = [];
  const strides: number[][] = inShapes.map(() => []);
  for (let i = 0; i < rank; i++) {
    const d = out[i]!;
    if (d === 1) continue;
    const last = dims.length - 1;
    // Merge into the previous dim when every input steps over it as one contiguous run.
    if (last >= 0 && aligned.every((st, j) => strides[j]![last] === st[i]! * d)) {
      dims[last] = dims[last]! * d;
      aligned.forEach((st, j) => { strides[j]![last] = st[i]!; });
    } else {
      dims.push(d);
      aligned.forEach((st, j) => strides[j]!.push(st[i]!));
    }
  }
  if (dims.length === 0) {
    dims.push(1);
    strides.forEach((s) => s.push(0));
  }
  return { outShape: out, size: staticSize(out), dims, strides };
}

/**
 * Walks the rows (innermost coalesced dim) of a plan. Per row, `offsets[j]` is where input j's
 * row starts; within the row, input j advances by `step[j]`. Use:
 *   for (let r = 0; r < c.rows; r++, c.advance()) { ... c.offsets ... c.rowLength ... }
 */
export class BroadcastCursor {
  readonly rows: number;
  readonly rowLength: number;
  readonly step: Int32Array;
  readonly offsets: Float64Array;
  private readonly outer: readonly number[];
  private readonly outerStrides: readonly (readonly number[])[];
  private readonly counter: Int32Array;

  constructor(plan: BroadcastPlan) {
    const n = plan.dims.length;
    this.rowLength = plan.dims[n - 1]!;
    this.rows = this.rowLength === 0 ? 0 : plan.size / this.rowLength;
    this.step = Int32Array.from(plan.strides.map((s) => s[n - 1]!));
    this.offsets = new Float64Array(plan.strides.length);
    this.outer = plan.dims.slice(0, n - 1);
    this.outerStrides = plan.strides.map((s) => s.slice(0, n - 1));
    this.counter = new Int32Array(n - 1);
  }

  /** Moves to the next row (odometer over the outer dims). */
  advance(): void {
    for (let d = this.outer.length - 1; d >= 0; d--) {
      const c = ++this.counter[d]!;
      if (c < this.outer[d]!) {
        for (let j = 0; j < this.offsets.length; j++) this.offsets[j]! += this.outerStrides[j]![d]!;
        return;
      }
      this.counter[d] = 0;
      for (let j = 0; j < this.offsets.length; j++) this.offsets[j]! -= this.outerStrides[j]![d]! * (c - 1);
    }
  }
}

/** For each output element, the index of the input element it reads (for kernels that gather). */
export function broadcastIndex(inShape: readonly number[], outShape: readonly number[]): Int32Array {
  const plan = planBroadcast([inShape], outShape);
  const idx = new Int32Array(plan.size);
  const c = new BroadcastCursor(plan);
  const len = c.rowLength;
  const s = c.step[0]!;
  for (let r = 0, o = 0; r < c.rows; r++, c.advance(), o += len) {
    const base = c.offsets[0]!;
    for (let k = 0; k < len; k++) idx[o + k] = base + k * s;
  }
  return idx;
}
