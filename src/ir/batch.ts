// Batch polymorphism: a model whose only symbolic dim is a leading batch dim compiles once for
// one sample and runs at any batch size, each sample a workgroup z-slice of the same kernels.
// This pass checks that samples never mix (no op reduces, gathers, concatenates or reorders along
// the batch axis), then specializes the graph to batch 1 and reports which values are batched.
import { IreetsError } from '../util/errors.js';
import { describeNode, walkNodes, type IRModule, type Node } from './graph.js';
import { inferShapes } from './infer-shapes.js';
import { getOpDef } from './ops/registry.js';
import type { Dim, Shape } from './types.js';

export interface BatchInfo {
  /** The batch symbol, e.g. `N`; null when every shape is static. */
  readonly symbol: string | null;
  /** Ids of values whose leading dim is the batch. */
  readonly batched: ReadonlySet<number>;
}

/** Ops whose `axis` attribute must not be 0 when their data operand is batched. */
const AXIS_ATTR_OPS = new Set(['gather', 'gather_elements', 'scatter_elements', 'concat', 'split', 'arg_max', 'arg_min', 'one_hot']);

function symbolsOf(shape: Shape | null): string[] {
  return (shape ?? []).filter((d): d is string => typeof d === 'string');
}

/**
 * Specializes `mod` in place to batch 1 when its inputs share one leading symbolic dim, and
 * returns which values carry the batch. Throws MODEL_UNSUPPORTED naming the node when samples
 * would mix, or when symbolic dims appear anywhere but the leading position.
 */
export function specializeBatch(mod: IRModule): BatchInfo {
  const g = mod.graph;
  const inputSymbols = new Set(g.inputs.flatMap((v) => symbolsOf(v.type.shape)));
  if (inputSymbols.size === 0) return { symbol: null, batched: new Set() };
  const where = (name: string): string => `input ${name}`;
  if (inputSymbols.size > 1) {
    throw new IreetsError('MODEL_UNSUPPORTED', `inputs have several symbolic dims (${[...inputSymbols].join(', ')}); only one leading batch dim is supported`, mod.metadata['path']);
  }
  const symbol = [...inputSymbols][0]!;
  for (const v of g.inputs) {
    const s = v.type.shape ?? [];
    if (s.indexOf(symbol) > 0) throw new IreetsError('MODEL_UNSUPPORTED', `symbolic dim ${symbol} must lead the shape [${s.join(',')}]`, where(v.name));
  }
  inferShapes(mod);

  const batched = new Set<number>();
  const isBatched = (shape: Shape | null): boolean => !!shape && shape[0] === symbol;
  for (const v of g.inputs) if (isBatched(v.type.shape)) batched.add(v.id);
  for (const n of walkNodes(g)) {
    const inputsBatched = n.inputs.map((v) => !!v && batched.has(v.id));
    const anyIn = inputsBatched.some(Boolean);
    for (const o of n.outputs) {
      const syms = symbolsOf(o.type.shape);
      if (syms.length === 0) {
        if (anyIn && n.op !== 'constant') reject(n, `its result ${describeShape(o.type.shape)} drops the batch dim ${symbol}`);
        continue;
      }
      if (syms.some((s) => s !== symbol) || (o.type.shape ?? []).indexOf(symbol) !== 0 || syms.length > 1) {
        reject(n, `its result ${describeShape(o.type.shape)} has symbolic dims other than a leading ${symbol}`);
      }
      if (!anyIn) reject(n, `it creates a batched value from unbatched operands`);
      batched.add(o.id);
    }
    if (anyIn) checkSampleLocal(n, inputsBatched);
  }

  // Specialize: batch 1 everywhere, then infer static shapes again.
  for (const v of g.inputs) {
    if (v.type.shape) v.type = { dtype: v.type.dtype, shape: v.type.shape.map((d: Dim) => (d === symbol ? 1 : d)) };
  }
  inferShapes(mod);
  return { symbol, batched };

  function reject(n: Node, why: string): never {
    throw new IreetsError('MODEL_UNSUPPORTED', `cannot compile for a dynamic batch dim ${symbol}: ${why}`, describeNode(n));
  }

  function checkSampleLocal(n: Node, inputsBatched: boolean[]): void {
    const kind = getOpDef(n.op)?.kind;
    if (kind === 'control' || kind === 'special' || kind === 'host' || n.op === 'shape' || n.op === 'size') {
      reject(n, `${n.op} of a batched value is not supported`);
    }
    const axis = n.attrs['axis'];
    if (AXIS_ATTR_OPS.has(n.op) && inputsBatched[0] && (axis === 0 || axis === undefined)) {
      reject(n, `it works along axis 0, the batch axis`);
    }
    if (n.op === 'cum_sum' || n.op === 'gather_nd' || n.op === 'scatter_nd' || n.op === 'reverse_sequence') {
      reject(n, `${n.op} on a batched value is not supported`);
    }
    if (n.op === 'matmul' && inputsBatched[1] && !inputsBatched[0]) reject(n, 'its right operand is batched');
    if (n.op.startsWith('reduce_')) {
      const axes = n.inputs[1];
      if (!axes) reject(n, 'it reduces over every axis, the batch included');
    }
  }
}

function describeShape(s: Shape | null): string {
  return s ? `[${s.join(',')}]` : '[*]';
}
