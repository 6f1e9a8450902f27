// ONNX model bytes → IR module.
import { dirname } from 'node:path';
import { ModuleBuilder } from '../ir/builder.js';
import type { IRModule, Value } from '../ir/graph.js';
import '../ir/ops/index.js';
import { initHashing } from '../util/hash.js';
import { IreetsError } from '../util/errors.js';
import { collectDeclaredTypes, importGraphBody, normalizeDomain, resolveName, type GraphEnv, type ModuleImportState } from './import-graph.js';
import { NameScope } from './name-scope.js';
import { longToNumber, onnx, type FunctionProto, type LongLike, type ModelProto } from './onnx-proto.js';
import './ops/index.js';
import { refineType, SymbolSource, tensorTypeOf } from './value-types.js';

export interface ImportOptions {
  /** The model's path: named in errors, and external data is read relative to its directory. */
  path?: string;
}

/** ONNX IR versions (ModelProto.ir_version) ireets reads. */
export const IR_VERSIONS = { min: 3, max: 10 } as const;
/** Newest default-domain opset the importers know. */
export const MAX_OPSET = 21;

/** Decodes and imports an ONNX model. Throws IreetsError (MODEL_CORRUPT, MODEL_UNSUPPORTED_OP, …). */
export async function importModel(bytes: Uint8Array, opts: ImportOptions = {}): Promise<IRModule> {
  await initHashing();
  return importModelProto(decodeModel(bytes, opts.path), opts);
}

/** Decodes ModelProto bytes; anything protobuf cannot parse is MODEL_CORRUPT. */
export function decodeModel(bytes: Uint8Array, path?: string): ModelProto {
  try {
    return onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw new IreetsError('MODEL_CORRUPT', `not a valid ONNX model: ${(e as Error).message}`, path ?? 'model', { cause: e });
  }
}

/** Imports a decoded model (initHashing() must have resolved). */
export function importModelProto(model: ModelProto, opts: ImportOptions = {}): IRModule {
  const where = opts.path ?? 'model';
  try {
    return importChecked(model, opts, where);
  } catch (e) {
    if (e instanceof IreetsError) throw e;
    // A malformed model can still trip plain errors deep inside (e.g. stack exhaustion).
    throw new IreetsError('MODEL_CORRUPT', `cannot import: ${(e as Error).message}`, where, { cause: e });
  }
}

function importChecked(model: ModelProto, opts: ImportOptions, where: string): IRModule {
  const irVersion = longToNumber(model.irVersion as LongLike);
  if (!model.graph) throw new IreetsError('MODEL_CORRUPT', 'the model has no graph', where);
  if (irVersion === 0) throw new IreetsError('MODEL_CORRUPT', 'the model has no ir_version', where);
  if (irVersion < IR_VERSIONS.min || irVersion > IR_VERSIONS.max) {
    throw new IreetsError('MODEL_UNSUPPORTED', `ONNX IR version ${irVersion} is not supported (${IR_VERSIONS.min}–${IR_VERSIONS.max})`, where);
  }
  const opsets = new Map<string, number>();
  for (const o of model.opsetImport ?? []) opsets.set(normalizeDomain(o.domain), longToNumber(o.version as LongLike));
  const defaultOpset = opsets.get('');
  if (defaultOpset !== undefined && (defaultOpset < 1 || defaultOpset > MAX_OPSET)) {
    throw new IreetsError('MODEL_UNSUPPORTED', `default-domain opset ${defaultOpset} is not supported (up to ${MAX_OPSET})`, where);
  }
  const functions = new Map<string, FunctionProto>();
  for (const f of model.functions ?? []) functions.set(`${normalizeDomain(f.domain)}:${f.name ?? ''}`, f);

  const mod = new ModuleBuilder();
  const state: ModuleImportState = {
    mod,
    baseDir: opts.path ? dirname(opts.path) : '.',
    symbols: new SymbolSource(),
    functions,
    declaredTypes: new Map(),
    nodeCount: 0,
  };
  const g = model.graph;
  const gb = mod.graph();
  const scope = new NameScope();
  const env: GraphEnv = { state, gb, scope, opsets, functionDepth: 0, graphDepth: 0 };

  // Before IR 4 initializers were also listed as inputs; an input with an initializer is a constant.
  const initialized = new Set((g.initializer ?? []).map((t) => t.name ?? ''));
  for (const t of g.sparseInitializer ?? []) initialized.add(t.values?.name ?? '');
  const inputNames: string[] = [];
  for (const vi of g.input ?? []) {
    const name = vi.name ?? '';
    if (initialized.has(name)) continue;
    const type = tensorTypeOf(vi.type, state.symbols, `input "${name}"`);
    if (!type) throw new IreetsError('MODEL_INVALID', `graph input "${name}" has no tensor type`, where);
    scope.define(name, gb.input(name, type));
    inputNames.push(name);
  }
  collectDeclaredTypes(state, g.output ?? []);
  importGraphBody(env, g);

  const outputNames = (g.output ?? []).map((vi) => vi.name ?? '');
  const outputs: Value[] = outputNames.map((name) => {
    const v = resolveName(env, name, `output "${name}"`);
    v.type = refineType(v.type, state.declaredTypes.get(name));
    return v;
  });
  const metadata: Record<string, string> = {
    irVersion: String(irVersion),
    opsets: [...opsets].map(([d, v]) => `${d || 'ai.onnx'}:${v}`).join(','),
  };
  if (opts.path) metadata['path'] = opts.path;
  if (model.producerName) metadata['producer'] = `${model.producerName} ${model.producerVersion ?? ''}`.trim();
  return mod.finish(gb.finish(outputs), inputNames, outputNames, metadata);
}
