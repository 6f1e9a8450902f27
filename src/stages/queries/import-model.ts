// importModel(path): the model file → optimized tensor IR (import, fold, batch specialization),
// serialized with its constants' bytes.
import { defineQuery, type DerivedQuery } from '../../graph/query.js';
import { serializeModule, type SerializedModule } from '../../ir/serialize.js';
import type { TensorSignature } from '../../vm/module.js';
import { optimizeModel } from '../compile-pipeline.js';
import { contentOf } from './file-contents.js';
import { modelFile } from './inputs.js';

export interface ImportedModel {
  module: SerializedModule;
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
      const { ir, batch, signature } = await optimizeModel(contentOf(ctx.input(modelFile, path), path), { path });
      return { module: serializeModule(ir), batchSymbol: batch.symbol, batched: [...batch.batched].sort((a, b) => a - b), signature };
    },
  });
}
