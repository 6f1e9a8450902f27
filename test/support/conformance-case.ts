// Loading ONNX conformance cases for code-generator tests: the model imported and folded,
// optionally with the graph inputs that feed shape operands frozen into initializers (the
// code generators need those operands at compile time; the suite feeds them as inputs).
import { readFileSync } from 'node:fs';
import type { ModelProto } from '../../src/frontend/onnx-proto.js';
import { decodeModel, importModelProto } from '../../src/frontend/import-model.js';
import { encodeTensorProto, readTensorProtoFile } from '../../src/frontend/tensor-proto.js';
import { foldConstants } from '../../src/ir/fold-constants.js';
import type { IRModule } from '../../src/ir/graph.js';
import type { ConformanceCase } from '../conformance/cases.js';

/** ONNX operands that size or place results: graph inputs feeding them get frozen. */
export const SHAPE_OPERANDS: Readonly<Record<string, readonly number[]>> = {
  Slice: [1, 2, 3, 4], Pad: [1, 3], Reshape: [1], Expand: [1], Squeeze: [1],
  Unsqueeze: [1], Resize: [1, 2, 3], Upsample: [1], Range: [0, 1, 2],
  ConstantOfShape: [0], TopK: [1], CumSum: [1], ReduceSum: [1], ReduceMean: [1], ReduceMax: [1],
  ReduceMin: [1], ReduceProd: [1], ReduceL1: [1], ReduceL2: [1], ReduceLogSum: [1],
  ReduceLogSumExp: [1], ReduceSumSquare: [1], CenterCropPad: [1],
};

/** The model with graph inputs that feed shape operands turned into initializers of their test values. */
export function freezeShapeInputs(model: ModelProto, c: ConformanceCase): { model: ModelProto; frozen: Set<number> } {
  const g = model.graph!;
  const names = (g.input ?? []).map((vi) => vi.name ?? '');
  const frozen = new Set<number>();
  for (const node of g.node ?? []) {
    const positions = SHAPE_OPERANDS[node.opType ?? ''];
    if (!positions) continue;
    for (const p of positions) {
      const at = names.indexOf(node.input?.[p] ?? '');
      if (at >= 0 && (node.input?.[p] ?? '') !== '') frozen.add(at);
    }
  }
  if (frozen.size === 0) return { model, frozen };
  const set = c.dataSets[0]!;
  const initializer = [...(g.initializer ?? [])];
  for (const i of frozen) initializer.push(encodeTensorProto(readTensorProtoFile(set.inputs[i]!), names[i]!));
  const graph = { ...g, input: (g.input ?? []).filter((_, i) => !frozen.has(i)), initializer };
  return { model: { ...model, graph }, frozen };
}

export function prepareCase(c: ConformanceCase, freeze: boolean): { mod: IRModule; frozen: Set<number> } {
  const decoded = decodeModel(readFileSync(c.modelPath), c.modelPath);
  const { model, frozen } = freeze ? freezeShapeInputs(decoded, c) : { model: decoded, frozen: new Set<number>() };
  const mod = importModelProto(model, { path: c.modelPath });
  foldConstants(mod);
  return { mod, frozen };
}

export const firstLine = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n', 1)[0]!.slice(0, 300);

