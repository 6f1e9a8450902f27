// ONNX importers: control flow — If, Loop, Scan — as IR regions.
import type { Graph, Value } from '../../ir/graph.js';
import { joinTypes, sameType } from '../../ir/ops/control.js';
import type { TensorType } from '../../ir/types.js';
import { defineImporter, type ImportContext } from '../registry.js';
import { requireInputs } from './required-inputs.js';

defineImporter('If', (ctx, inputs) => {
  const [cond] = requireInputs(ctx, inputs, 1);
  const known = ctx.constValue(cond!);
  if (known) {
    // A constant condition: the taken branch's nodes join the enclosing graph directly.
    const branch = ctx.region(known.getNumber(0) !== 0 ? 'then_branch' : 'else_branch');
    ctx.b.nodes.push(...branch.nodes);
    return branch.outputs;
  }
  const then = ctx.region('then_branch');
  const els = ctx.region('else_branch');
  const n = ctx.node.outputs.length;
  if (then.outputs.length !== n || els.outputs.length !== n) {
    return ctx.invalid(`If branches give ${then.outputs.length} and ${els.outputs.length} results for ${n} outputs`);
  }
  return ctx.op('if', [cond!], {}, { regions: [then, els], numOutputs: n });
});

/**
 * Imports a body whose carried inputs may change type between iterations: import with the
 * initial types; while some carried result is not covered by its input's type, widen the input
 * types (differing dims become symbols) and import again. Declared body input types may pin a
 * type back; when a round changes nothing, the declarations stand.
 */
function importCarriedBody(
  ctx: ImportContext,
  attr: string,
  carried: readonly TensorType[],
  inputOffset: number,
  resultOffset: number,
  inputTypesOf: (carried: readonly TensorType[]) => TensorType[],
): Graph {
  let types = [...carried];
  let previous: TensorType[] | undefined;
  for (let round = 0; ; round++) {
    const body = ctx.region(attr, inputTypesOf(types));
    const actual = types.map((t, i) => body.inputs[inputOffset + i]?.type ?? t);
    const after = actual.map((t, i) => body.outputs[resultOffset + i]?.type ?? t);
    const settled = actual.every((t, i) => covers(t, after[i]!));
    const stuck = previous !== undefined && actual.every((t, i) => sameType(t, previous![i]!));
    if (settled || stuck || round >= 4) return body;
    previous = actual;
    types = actual.map((t, i) => (covers(t, after[i]!) ? t : joinTypes(t, after[i]!, attr)));
  }
}

/** True when every value of type `specific` is also of type `general` (symbols match any extent). */
function covers(general: TensorType, specific: TensorType): boolean {
  if (general.dtype !== specific.dtype) return true; // a dtype change is the body's error, reported by inference
  if (general.shape === null) return true;
  if (specific.shape === null || specific.shape.length !== general.shape.length) return false;
  return general.shape.every((d, i) => typeof d === 'string' || d === specific.shape![i]);
}

defineImporter('Loop', (ctx, inputs) => {
  const [maxTrips, cond, ...initial] = inputs;
  if (initial.some((v) => !v)) return ctx.invalid('Loop carried values may not be omitted');
  const carried = (initial as Value[]).map((v) => v.type);
  const fixed: TensorType[] = [{ dtype: 'i64', shape: [] }, { dtype: 'bool', shape: [] }];
  const body = importCarriedBody(ctx, 'body', carried, 2, 1, (c) => [...fixed, ...c]);
  if (body.outputs.length < 1 + initial.length) {
    return ctx.invalid(`Loop body gives ${body.outputs.length} results, needs at least ${1 + initial.length}`);
  }
  const count = body.outputs.length - 1;
  return ctx.op('loop', [maxTrips ?? null, cond ?? null, ...initial], {}, { regions: [body], numOutputs: count });
});

defineImporter('Scan', (ctx, inputs) => {
  const m = ctx.attrInt('num_scan_inputs');
  // Scan-8 has an optional sequence_lens first input and a batch axis 0 on everything.
  const batched = ctx.opset < 9;
  if (batched && inputs[0]) {
    // Only full-length sequences are supported: sequence_lens must be constant and all equal to the scan length.
    const lens = ctx.constValue(inputs[0]);
    const first = inputs[1 + (inputs.length - 1 - m)];
    const steps = first?.type.shape?.[1];
    const full = lens && typeof steps === 'number' && lens.toNumbers().every((l) => l === steps);
    if (!full) return ctx.unsupported('Scan-8 with sequence_lens shorter than the sequence (or computed) is not supported');
  }
  const operands = batched ? inputs.slice(1) : [...inputs];
  if (operands.some((v) => !v)) return ctx.invalid('Scan operands may not be omitted');
  const vals = operands as Value[];
  const n = vals.length - m;
  if (m < 1 || n < 0) return ctx.invalid(`Scan has ${vals.length} operands for ${m} scan inputs`);
  const lead = batched ? 1 : 0;
  const inAxes = batched ? [] : ctx.attrInts('scan_input_axes', []);
  const inDirs = ctx.attrInts(batched ? 'directions' : 'scan_input_directions', []);
  const outAxes = batched ? [] : ctx.attrInts('scan_output_axes', []);
  const outDirs = batched ? [] : ctx.attrInts('scan_output_directions', []);
  const dropLead = (t: TensorType): TensorType => ({ dtype: t.dtype, shape: t.shape && t.shape.slice(lead) });
  const sliceTypes = vals.slice(n).map((v, j): TensorType => {
    const t = dropLead(v.type);
    if (!t.shape) return t;
    const a = inAxes[j] ?? 0;
    const axis = a < 0 ? a + t.shape.length : a;
    return { dtype: t.dtype, shape: [...t.shape.slice(0, axis), ...t.shape.slice(axis + 1)] };
  });
  const states = vals.slice(0, n).map((v) => dropLead(v.type));
  const body = importCarriedBody(ctx, 'body', states, 0, 0, (c) => [...c, ...sliceTypes]);
  if (body.inputs.length !== n + m) return ctx.invalid(`Scan body takes ${body.inputs.length} inputs, expected ${n + m}`);
  const attrs = {
    num_scan_inputs: m,
    scan_input_axes: Array.from({ length: m }, (_, j) => inAxes[j] ?? 0),
    scan_input_directions: Array.from({ length: m }, (_, j) => inDirs[j] ?? 0),
    scan_output_axes: body.outputs.slice(n).map((_, k) => outAxes[k] ?? 0),
    scan_output_directions: body.outputs.slice(n).map((_, k) => outDirs[k] ?? 0),
    batched,
  };
  return ctx.op('scan', vals, attrs, { regions: [body], numOutputs: body.outputs.length });
});
