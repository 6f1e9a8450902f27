// One-node ONNX models for importer tests, written with the project's ONNX writer, and run on
// ireets (import + reference interpreter).
import { importModel } from '../../src/frontend/import-model.js';
import { writeOnnxModel, type OnnxAttrValue, type OnnxValueSpec } from '../../src/frontend/onnx-writer.js';
import type { IRModule } from '../../src/ir/graph.js';
import { interpretModule } from '../../src/ir/interpret/interpreter.js';
import type { Tensor } from '../../src/ir/tensor.js';

/** A node input: a graph input fed at run time, or an initializer. */
export interface Operand {
  readonly name: string;
  readonly value: Tensor;
  /** An initializer (a compile-time constant to the importer) rather than a graph input. */
  readonly constant?: boolean;
  /** Declared with symbolic dims (`<name>_0`, …) instead of its static shape. */
  readonly symbolic?: boolean;
}

export interface OneNodeCase {
  readonly op: string;
  /** Default-domain opset (default 17). */
  readonly opset?: number;
  /** null: an omitted optional input. */
  readonly inputs: readonly (Operand | null)[];
  /**
   * The node's outputs (default ['y']): names, or specs that also declare the graph output's
   * type; '' for an output the node does not ask for.
   */
  readonly outputs?: readonly (string | OnnxValueSpec)[];
  readonly attrs?: Readonly<Record<string, OnnxAttrValue>>;
}

export function operand(name: string, value: Tensor, opts: { constant?: boolean; symbolic?: boolean } = {}): Operand {
  return { name, value, ...opts };
}

/** Names of the outputs the node asks for, in order. */
export function outputNames(c: OneNodeCase): string[] {
  return (c.outputs ?? ['y']).map((o) => (typeof o === 'string' ? o : o.name)).filter((o) => o !== '');
}

/** The inputs fed at run time, in graph input order. */
export function fedInputs(c: OneNodeCase): Operand[] {
  return c.inputs.filter((i): i is Operand => i !== null && !i.constant);
}

/** The IR version ONNX released together with `opset`. */
function irVersionOf(opset: number): number {
  return opset >= 21 ? 10 : opset >= 19 ? 9 : 8;
}

export function oneNodeModel(c: OneNodeCase): Uint8Array {
  const opset = c.opset ?? 17;
  const outputs = (c.outputs ?? ['y']).map((o) => (typeof o === 'string' ? { name: o } : o));
  const present = c.inputs.filter((i): i is Operand => i !== null);
  return writeOnnxModel({
    opset,
    irVersion: irVersionOf(opset),
    graph: {
      name: 'g',
      nodes: [{ op: c.op, name: 'n', inputs: c.inputs.map((i) => i?.name ?? ''), outputs: outputs.map((o) => o.name), attrs: c.attrs }],
      inputs: fedInputs(c).map((i) => ({
        name: i.name,
        dtype: i.value.dtype,
        shape: i.symbolic ? i.value.shape.map((_, k) => `${i.name}_${k}`) : i.value.shape,
      })),
      outputs: outputs.filter((o) => o.name !== ''),
      initializers: present.filter((i) => i.constant).map((i) => ({ name: i.name, tensor: i.value })),
    },
  });
}

export async function importCase(c: OneNodeCase): Promise<IRModule> {
  return importModel(oneNodeModel(c));
}

/** Runs the case on ireets' reference interpreter. */
export async function runOurs(c: OneNodeCase): Promise<Tensor[]> {
  return interpretModule(await importCase(c), fedInputs(c).map((i) => i.value));
}
