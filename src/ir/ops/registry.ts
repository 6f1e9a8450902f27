import type { Attrs, Graph } from '../graph.js';
import type { Tensor } from '../tensor.js';
import type { TensorType } from '../types.js';

/**
 * What an op is for the partitioner: regions get one root (matmul, conv, pool, reduction,
 * movement) or are pure elementwise; `host` ops (shape arithmetic) stay out of dispatches;
 * `control` ops carry regions; `special` ops have no decomposition (e.g. non_max_suppression)
 * and run through their reference kernel.
 */
export type OpKind =
  | 'elementwise'
  | 'matmul'
  | 'conv'
  | 'pool'
  | 'reduction'
  | 'movement'
  | 'constant'
  | 'host'
  | 'control'
  | 'special';

export interface InferArgs {
  /** Input types; null for omitted optional inputs. */
  readonly inputs: readonly (TensorType | null)[];
  readonly attrs: Attrs;
  /** Values of inputs that are compile-time constants (shape operands, axes), else undefined. */
  readonly consts: readonly (Tensor | undefined)[];
  readonly regions: readonly Graph[];
}

export interface OpDef {
  readonly name: string;
  readonly kind: OpKind;
  /**
   * Output types from input types, attributes and constant operands. Unknown dims become
   * symbols or `shape: null`; an invalid combination throws an Error with a short message
   * (the caller names the node).
   */
  infer(args: InferArgs): TensorType[];
}

const ops = new Map<string, OpDef>();

export function defineOp(def: OpDef): OpDef {
  if (ops.has(def.name)) throw new Error(`op ${def.name} defined twice`);
  ops.set(def.name, def);
  return def;
}

export function getOpDef(name: string): OpDef | undefined {
  return ops.get(name);
}

export function allOpDefs(): OpDef[] {
  return [...ops.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
