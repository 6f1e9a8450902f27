// Index arithmetic shared by the reduction kernels.

/** A shape split around one axis: `outer` rows of `extent` × `inner` contiguous elements. */
export interface AxisSplit {
  readonly outer: number;
  readonly extent: number;
  readonly inner: number;
}

export function splitAtAxis(shape: readonly number[], axis: number): AxisSplit {
  let outer = 1;
  let inner = 1;
  for (let i = 0; i < axis; i++) outer *= shape[i]!;
  for (let i = axis + 1; i < shape.length; i++) inner *= shape[i]!;
  return { outer, extent: shape[axis]!, inner };
}

/**
 * A reduction's iteration space with neighbouring dims of the same kind (reduced or kept)
 * merged and size-1 dims dropped: `sizes[g]` elements in group g, whose source stride is
 * `srcStrides[g]` and whose accumulator stride is `accStrides[g]` (0 for reduced groups).
 * The source is walked in row-major order, so the last group is contiguous in the source.
 */
export interface ReductionLoops {
  readonly sizes: number[];
  readonly srcStrides: number[];
  readonly accStrides: number[];
}

export function reductionLoops(shape: readonly number[], reduced: readonly number[]): ReductionLoops {
  const groups: { size: number; reduced: boolean }[] = [];
  shape.forEach((d, i) => {
    if (d === 1) return;
    const r = reduced.includes(i);
    const last = groups[groups.length - 1];
    if (last && last.reduced === r) last.size *= d;
    else groups.push({ size: d, reduced: r });
  });
  const n = groups.length;
  const sizes = groups.map((g) => g.size);
  const srcStrides = new Array<number>(n);
  const accStrides = new Array<number>(n);
  let src = 1;
  let acc = 1;
  for (let g = n - 1; g >= 0; g--) {
    srcStrides[g] = src;
    src *= sizes[g]!;
    if (groups[g]!.reduced) accStrides[g] = 0;
    else {
      accStrides[g] = acc;
      acc *= sizes[g]!;
    }
  }
  return { sizes, srcStrides, accStrides };
}

/**
 * Calls `run(accIndex, srcIndex, count, accStep)` once per contiguous innermost run of the
 * source, in row-major order; `accStep` is 0 when the innermost group is reduced, else 1.
 */
export function forEachInnerRun(
  loops: ReductionLoops,
  run: (accIndex: number, srcIndex: number, count: number, accStep: number) => void,
): void {
  const { sizes, srcStrides, accStrides } = loops;
  const n = sizes.length;
  if (n === 0) {
    run(0, 0, 1, 0);
    return;
  }
  const count = sizes[n - 1]!;
  const accStep = accStrides[n - 1]!;
  const counter = new Array<number>(n - 1).fill(0);
  let srcIndex = 0;
  let accIndex = 0;
  for (;;) {
    run(accIndex, srcIndex, count, accStep);
    // Advance the odometer over the outer groups.
    let g = n - 2;
    for (; g >= 0; g--) {
      srcIndex += srcStrides[g]!;
      accIndex += accStrides[g]!;
      if (++counter[g]! < sizes[g]!) break;
      srcIndex -= srcStrides[g]! * sizes[g]!;
      accIndex -= accStrides[g]! * sizes[g]!;
      counter[g] = 0;
    }
    if (g < 0) return;
  }
}
