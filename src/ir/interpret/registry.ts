import type { Attrs, Graph, Node } from '../graph.js';
import type { Tensor } from '../tensor.js';

export interface KernelContext {
  readonly node: Node;
  /** Runs a nested region with the given region inputs; outer values stay visible. */
  runRegion(region: Graph, inputs: readonly (Tensor | null)[]): Tensor[];
}

/** A reference kernel: plain, obviously-correct code over Tensors. Inputs may be null (omitted). */
export type Kernel = (inputs: readonly (Tensor | null)[], attrs: Attrs, ctx: KernelContext) => Tensor[];

const kernels = new Map<string, Kernel>();

export function defineKernel(op: string, kernel: Kernel): void {
  if (kernels.has(op)) throw new Error(`kernel for ${op} defined twice`);
  kernels.set(op, kernel);
}

export function getKernel(op: string): Kernel | undefined {
  return kernels.get(op);
}
