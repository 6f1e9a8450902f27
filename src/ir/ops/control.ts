// IR op definitions: control flow. Regions may read outer values; their inputs are listed per op.
import type { Dim, TensorType } from '../types.js';
import { defineOp } from './registry.js';

let freshCounter = 0;
function freshDim(hint: string): string {
  return `${hint}?${freshCounter++}`;
}

/**
 * The type that covers both `a` and `b` (two branches, or a loop-carried value before and after
 * an iteration): equal dims stay, differing dims become symbols, differing ranks an unknown shape.
 */
export function joinTypes(a: TensorType, b: TensorType, hint = 'join'): TensorType {
  if (a.shape === null || b.shape === null || a.shape.length !== b.shape.length) return { dtype: a.dtype, shape: null };
  let same = true;
  const shape = a.shape.map((d, i) => {
    if (d === b.shape![i]) return d;
    same = false;
    return freshDim(hint);
  });
  return same ? a : { dtype: a.dtype, shape };
}

/** True when `b` is `a` or at least as general (same dtype, and `a`'s dims are kept or generalized). */
export function sameType(a: TensorType, b: TensorType): boolean {
  if (a.dtype !== b.dtype) return false;
  if (a.shape === null || b.shape === null) return a.shape === b.shape;
  return a.shape.length === b.shape.length && a.shape.every((d, i) => d === b.shape![i]);
}

/**
 * `if`: inputs [cond (bool scalar)]; regions [then, else], neither with inputs; results are the
 * taken branch's outputs.
 */
defineOp({
  name: 'if',
  kind: 'control',
  infer({ inputs, regions }) {
    if (inputs.length !== 1 || !inputs[0]) throw new Error('if takes one condition input');
    if (regions.length !== 2) throw new Error('if needs then and else regions');
    const [then, els] = regions as [typeof regions[0], typeof regions[0]];
    if (then.outputs.length !== els.outputs.length) {
      throw new Error(`if: then gives ${then.outputs.length} results, else ${els.outputs.length}`);
    }
    return then.outputs.map((v, i) => {
      const w = els.outputs[i]!;
      if (v.type.dtype !== w.type.dtype) throw new Error(`if: result ${i} is ${v.type.dtype} in then, ${w.type.dtype} in else`);
      return joinTypes(v.type, w.type, 'if');
    });
  },
});

/**
 * `loop`: inputs [max_trip_count (i64 scalar | null), cond (bool scalar | null), carried…];
 * region body (iter i64, cond bool, carried…) → (cond, carried…, scan elements…). Results: the
 * final carried values, then each scan element stacked along a new axis 0.
 * Attrs: none.
 */
defineOp({
  name: 'loop',
  kind: 'control',
  infer({ inputs, regions, consts }) {
    if (inputs.length < 2) throw new Error('loop takes max_trip_count, cond and carried values');
    const body = regions[0];
    if (!body || regions.length !== 1) throw new Error('loop needs one body region');
    const carried = inputs.slice(2);
    const n = carried.length;
    if (body.inputs.length !== n + 2) throw new Error(`loop body takes ${body.inputs.length} inputs, expected ${n + 2}`);
    if (body.outputs.length < n + 1) throw new Error(`loop body gives ${body.outputs.length} results, expected at least ${n + 1}`);
    // The trip count is static when max_trip_count is constant and the loop cannot stop early:
    // no condition, or a constant true one the body passes through unchanged.
    const m = consts[0];
    const cond = consts[1];
    const condHolds = !inputs[1] || (cond !== undefined && cond.getNumber(0) !== 0 && body.outputs[0] === body.inputs[1]);
    const tripDim: Dim = m && condHolds ? Math.max(0, Number(m.getBigInt(0))) : freshDim('loop');
    const out: TensorType[] = [];
    for (let i = 0; i < n; i++) {
      const init = carried[i];
      const after = body.outputs[1 + i]!.type;
      out.push(init ? joinTypes(init, after, 'loop') : after);
    }
    for (const v of body.outputs.slice(1 + n)) {
      out.push({ dtype: v.type.dtype, shape: v.type.shape === null ? null : [tripDim, ...v.type.shape] });
    }
    return out;
  },
});

/**
 * `scan`: inputs [states… (N), scan inputs… (M = attrs.num_scan_inputs)]; region body
 * (states…, one slice of each scan input…) → (states…, scan elements…). Results: final states,
 * then scan outputs (elements stacked along attrs.scan_output_axes[k], reversed where
 * scan_output_directions[k] = 1). scan_input_axes/directions say how inputs are sliced.
 * attrs.batched (ONNX Scan-8): states and scan inputs carry a leading batch axis the body does
 * not see; scan axes then count after it.
 */
defineOp({
  name: 'scan',
  kind: 'control',
  infer({ inputs, regions, attrs }) {
    const body = regions[0];
    if (!body || regions.length !== 1) throw new Error('scan needs one body region');
    const m = Number(attrs['num_scan_inputs'] ?? 0);
    const n = inputs.length - m;
    if (m < 1 || n < 0) throw new Error('scan needs at least one scan input');
    if (body.inputs.length !== n + m) throw new Error(`scan body takes ${body.inputs.length} inputs, expected ${n + m}`);
    if (body.outputs.length < n) throw new Error(`scan body gives ${body.outputs.length} results, expected at least ${n}`);
    const batched = attrs['batched'] === true;
    const inAxes = (attrs['scan_input_axes'] ?? []) as readonly number[];
    const outAxes = (attrs['scan_output_axes'] ?? []) as readonly number[];
    const first = inputs[n];
    let steps: Dim = freshDim('scan');
    let batch: Dim = freshDim('batch');
    if (first?.shape) {
      const lead = batched ? 1 : 0;
      const r = first.shape.length - lead;
      const ax = (inAxes[0] ?? 0) < 0 ? inAxes[0]! + r : (inAxes[0] ?? 0);
      steps = first.shape[lead + ax] ?? steps;
      if (batched) batch = first.shape[0] ?? batch;
    }
    const out: TensorType[] = [];
    for (let i = 0; i < n; i++) {
      const after = body.outputs[i]!.type;
      const init = inputs[i];
      out.push(init ? joinTypes(init, batched && after.shape ? { dtype: after.dtype, shape: [batch, ...after.shape] } : after, 'scan') : after);
    }
    body.outputs.slice(n).forEach((v, k) => {
      const s = v.type.shape;
      if (s === null) return out.push({ dtype: v.type.dtype, shape: null });
      const r = s.length + 1;
      const a = outAxes[k] ?? 0;
      const axis = a < 0 ? a + r : a;
      const shape: Dim[] = [...s.slice(0, axis), steps, ...s.slice(axis)];
      out.push({ dtype: v.type.dtype, shape: batched ? [batch, ...shape] : shape });
    });
    return out;
  },
});
