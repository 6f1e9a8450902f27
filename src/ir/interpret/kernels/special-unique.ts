// Reference kernel: unique (numpy.unique semantics; optional first-occurrence order).
import { allocData, isFloat } from '../../dtype.js';
import { Tensor } from '../../tensor.js';
import { attrInt, attrOptNumber, normAxis } from '../../ops/special-util.js';
import { defineKernel } from '../registry.js';
import { extent, operand } from './special-util.js';

type Key = number | bigint | string;

/** Elements in a form `<` orders correctly: f16/bf16 decoded; everything else as stored. */
function sortKeys(t: Tensor): ArrayLike<Key> {
  if (t.dtype === 'f16' || t.dtype === 'bf16') return t.toFloat64();
  return t.data as ArrayLike<Key>;
}

/** Three-way compare where NaN equals NaN and sorts after every number (as numpy does). */
function compareKeys(a: Key, b: Key, floats: boolean): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (floats && a !== b) {
    const an = Number.isNaN(a);
    const bn = Number.isNaN(b);
    if (an !== bn) return an ? 1 : -1;
  }
  return 0;
}

/** Equal slices grouped: the group of each slice, and each group's first slice and size. */
interface Grouping {
  readonly groupOf: Int32Array;
  readonly firsts: number[];
  readonly counts: number[];
  /** Groups are numbered in value order (else in order of first occurrence). */
  readonly byValue: boolean;
}

/** Groups scalars by a stable index sort (numbers without NaN, or bigints); groups come out in value order. */
function groupBySorting(keys: ArrayLike<number> | ArrayLike<bigint>, n: number): Grouping {
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  if (n > 0 && typeof keys[0] === 'bigint') {
    const k = keys as ArrayLike<bigint>;
    order.sort((a, b) => (k[a]! < k[b]! ? -1 : k[a]! > k[b]! ? 1 : a - b));
  } else {
    const k = keys as ArrayLike<number>;
    order.sort((a, b) => k[a]! - k[b]! || a - b);
  }
  const groupOf = new Int32Array(n);
  const firsts: number[] = [];
  const counts: number[] = [];
  for (let j = 0; j < n; j++) {
    const s = order[j]!;
    // -0 === +0, so they share a group.
    if (j === 0 || keys[order[j - 1]!] !== keys[s]) {
      firsts.push(s);
      counts.push(0);
    }
    groupOf[s] = firsts.length - 1;
    counts[counts.length - 1]!++;
  }
  return { groupOf, firsts, counts, byValue: true };
}

/**
 * Groups slices by a hash of their key (Map keys compare by SameValueZero: NaN equals NaN and
 * -0 equals +0, as in numpy's unique); groups come out in order of first occurrence.
 */
function groupByHashing(n: number, keyOf: (slice: number) => Key): Grouping {
  const groups = new Map<Key, number>();
  const groupOf = new Int32Array(n);
  const firsts: number[] = [];
  const counts: number[] = [];
  for (let s = 0; s < n; s++) {
    const key = keyOf(s);
    let g = groups.get(key);
    if (g === undefined) {
      g = firsts.length;
      groups.set(key, g);
      firsts.push(s);
      counts.push(0);
    }
    groupOf[s] = g;
    counts[g]!++;
  }
  return { groupOf, firsts, counts, byValue: false };
}

defineKernel('unique', (inputs, attrs) => {
  const x = operand(inputs[0], 'X');
  const sorted = attrInt(attrs, 'sorted', 1) !== 0;
  const axisAttr = attrOptNumber(attrs, 'axis');
  // View x as [outer, n, inner]; unique runs over the n slices.
  const axis = axisAttr === null ? null : normAxis(axisAttr, x.rank, 'unique axis');
  const outer = axis === null ? 1 : extent(x.shape, 0, axis);
  const n = axis === null ? x.size : x.shape[axis]!;
  const inner = axis === null ? 1 : extent(x.shape, axis + 1, x.rank);
  const keys = sortKeys(x);
  const floats = isFloat(x.dtype);

  const compareSlices = (a: number, b: number): number => {
    for (let o = 0; o < outer; o++) {
      const ra = (o * n + a) * inner;
      const rb = (o * n + b) * inner;
      for (let i = 0; i < inner; i++) {
        const c = compareKeys(keys[ra + i]!, keys[rb + i]!, floats);
        if (c !== 0) return c;
      }
    }
    return 0;
  };

  // Scalar numeric slices without NaN group fastest by an index sort; the rest by hashing.
  const scalarSlices = outer === 1 && inner === 1 && x.dtype !== 'string';
  let hasNaN = false;
  if (floats) for (let i = 0; i < keys.length && !hasNaN; i++) hasNaN = keys[i] !== keys[i];
  const grouping = scalarSlices && !hasNaN
    ? groupBySorting(keys as ArrayLike<number> | ArrayLike<bigint>, n)
    : groupByHashing(n, (s) => {
      if (outer === 1 && inner === 1) return keys[s]!;
      const parts: string[] = [];
      for (let o = 0; o < outer; o++) {
        for (let i = 0; i < inner; i++) parts.push(JSON.stringify(String(keys[(o * n + s) * inner + i]!)));
      }
      return parts.join(',');
    });
  const { groupOf, firsts, counts } = grouping;

  // Rank of each group in the output: by value (sorted) or by first occurrence.
  const u = firsts.length;
  const rank = Int32Array.from({ length: u }, (_, g) => g);
  if (sorted !== grouping.byValue) {
    const ids = Array.from({ length: u }, (_, g) => g);
    ids.sort(sorted ? (g, h) => compareSlices(firsts[g]!, firsts[h]!) : (g, h) => firsts[g]! - firsts[h]!);
    ids.forEach((g, r) => (rank[g] = r));
  }
  const indices = new Array<number>(u);
  const uniqueCounts = new BigInt64Array(u);
  for (let g = 0; g < u; g++) {
    indices[rank[g]!] = firsts[g]!;
    uniqueCounts[rank[g]!] = BigInt(counts[g]!);
  }
  const inverse = new BigInt64Array(n);
  for (let s = 0; s < n; s++) inverse[s] = BigInt(rank[groupOf[s]!]!);

  const yShape = axis === null ? [u] : x.shape.map((d, i) => (i === axis ? u : d));
  const yData = allocData(x.dtype, u * outer * inner);
  const src = x.data as { [i: number]: Key };
  const dst = yData as { [i: number]: Key };
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < u; j++) {
      const from = (o * n + indices[j]!) * inner;
      const to = (o * u + j) * inner;
      for (let i = 0; i < inner; i++) dst[to + i] = src[from + i]!;
    }
  }
  return [
    new Tensor(x.dtype, yShape, yData),
    new Tensor('i64', [u], BigInt64Array.from(indices, BigInt)),
    new Tensor('i64', [n], inverse),
    new Tensor('i64', [u], uniqueCounts),
  ];
});
