// importModel(path): the model file → optimized tensor IR (import, fold, batch specialization),
// serialized with its small constants' bytes. Large constants (weights) are named by content
// hash only: their bytes are cached once each under constantData(hash) (constants.ts), so an
// edit that keeps the weights re-encodes and writes no weight bytes, and the value every later
// stage reads stays small.
import { defineQuery, type DerivedQuery } from '../../graph/query.js';
import { byteSize, type DType } from '../../ir/dtype.js';
import type { ConstantEntry, IRModule } from '../../ir/graph.js';
import { deserializeModule, type SerializedModule } from '../../ir/serialize.js';
import { serializeModuleWithout } from '../../ir/serialize.js';
import { staticSize } from '../../ir/types.js';
import type { Tensor } from '../../ir/tensor.js';
import { IreetsError } from '../../util/errors.js';
import type { TensorSignature } from '../../vm/module.js';
import { optimizeModel } from '../compile-pipeline.js';
import { contentOf, rememberConstants } from './file-contents.js';
import { modelFile } from './inputs.js';

/** Constants of more bytes than this are cached on their own, by content hash. */
export const SEPARATE_CONSTANT_BYTES = 4096;

/** A large constant of the model: its bytes are constantData(hash). */
export interface WeightRef {
  hash: string;
  dtype: DType;
  shape: number[];
}

export interface ImportedModel {
  /** The optimized module; its `constants` hold the small constants only. */
  module: SerializedModule;
  /** The large constants, in walk order. */
  weights: WeightRef[];
  /** The dynamic batch symbol, or null when every shape is static. */
  batchSymbol: string | null;
  /** Ids of values that carry the batch, ascending. */
  batched: number[];
  signature: { inputs: TensorSignature[]; outputs: TensorSignature[] };
}

export type ImportModelQuery = DerivedQuery<string, ImportedModel>;

export function defineImportModel(version: string): ImportModelQuery {
  return defineQuery<string, ImportedModel>({
    name: 'importModel',
    version,
    compute: async (ctx, path) => {
      const digest = ctx.input(modelFile, path);
      const content = await contentOf(digest, path);
      const { ir, batch, signature } = await optimizeModel(content.bytes, { path, externalFiles: content.externalFiles });
      const { module, weights, tensors } = splitWeights(ir);
      // The bytes of this import's weights, for constantData to hand to the cache without a copy.
      rememberConstants(digest, tensors);
      return { module, weights, batchSymbol: batch.symbol, batched: [...batch.batched].sort((a, b) => a - b), signature };
    },
  });
}

/** Whether a constant's bytes (by its type: constants have static shapes) go to constantData. */
const isSeparate = (c: ConstantEntry): boolean => c.type.dtype !== 'string' && byteSize(c.type.dtype) * staticSize(c.type.shape as number[]) > SEPARATE_CONSTANT_BYTES;

/**
 * The serialized module with its large constants taken out, and how to load each of those: a
 * weight whose bytes the cache already holds is never loaded (a packed weight known from a
 * recorded fact is then never packed).
 */
export function splitWeights(ir: IRModule): { module: SerializedModule; weights: WeightRef[]; tensors: Map<string, () => Tensor> } {
  const { module, leftOut } = serializeModuleWithout(ir, isSeparate);
  const weights: WeightRef[] = [];
  const tensors = new Map<string, () => Tensor>();
  for (const c of leftOut) {
    weights.push({ hash: c.hash, dtype: c.type.dtype, shape: [...(c.type.shape as number[])] });
    tensors.set(c.hash, c.load);
  }
  return { module, weights, tensors };
}

/** The IR of each imported model value in this process, shared by the stages that read it. */
const modules = new WeakMap<ImportedModel, IRModule>();

/**
 * The IR of an imported model for the stages after import: weights appear by type only (the
 * partition, the schedule and the linker look at their types, never their bytes). Partition,
 * schedule and module read the same value: it is deserialized once and shared, so it is
 * read-only to all of them.
 */
export function importedModule(imported: ImportedModel): IRModule {
  let ir = modules.get(imported);
  if (!ir) {
    ir = deserializeImported(imported);
    modules.set(imported, ir);
  }
  return ir;
}

function deserializeImported(imported: ImportedModel): IRModule {
  const ir = deserializeModule(imported.module);
  for (const w of imported.weights) {
    ir.constants.set(w.hash, {
      hash: w.hash,
      type: { dtype: w.dtype, shape: w.shape },
      load: () => {
        throw new IreetsError('INTERNAL', `the bytes of weight ${w.hash} are not at hand in this stage (constantData holds them)`);
      },
    });
  }
  return ir;
}
