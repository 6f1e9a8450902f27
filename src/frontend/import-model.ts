// ONNX model bytes → IR module.
import { dirname } from 'node:path';
import { ModuleBuilder } from '../ir/builder.js';
import type { IRModule, Value } from '../ir/graph.js';
import '../ir/ops/index.js';
import { initHashing } from '../util/hash.js';
import { IreetsError } from '../util/errors.js';
import { collectDeclaredTypes, importGraphBody, normalizeDomain, resolveName, type GraphEnv, type ModuleImportState } from './import-graph.js';
import { reserveReuseFor } from './initializer-reuse.js';
import { NameScope } from './name-scope.js';
import { longToNumber, onnx, type FunctionProto, type GraphProto, type LongLike, type ModelProto } from './onnx-proto.js';
import './ops/index.js';
import { scanForMissingImporters, UnsupportedOpCollector } from './unsupported-ops.js';
import { refineType, SymbolSource, tensorTypeOf } from './value-types.js';

export interface ImportOptions {
  /** The model's path: named in errors, and external data is read relative to its directory. */
  path?: string;
  /**
   * External data files already read, by absolute path: the import takes their bytes from here
   * instead of reading the files, so what it compiles is what the caller hashed.
   */
  externalFiles?: ReadonlyMap<string, Uint8Array>;
}

/** ONNX IR versions (ModelProto.ir_version) ireets reads. */
export const IR_VERSIONS = { min: 3, max: 10 } as const;
/** Newest default-domain opset the importers know. */
export const MAX_OPSET = 21;

/** Decodes and imports an ONNX model. Throws IreetsError (MODEL_CORRUPT, MODEL_UNSUPPORTED_OP, …). */
export async function importModel(bytes: Uint8Array, opts: ImportOptions = {}): Promise<IRModule> {
  await initHashing();
  reserveReuseFor(bytes.length);
  return importModelProto(decodeModel(bytes, opts.path), opts);
}

/** Decodes ModelProto bytes; anything protobuf cannot parse is MODEL_CORRUPT ("not an ONNX model: …"). */
export function decodeModel(bytes: Uint8Array, path?: string): ModelProto {
  if (bytes.length === 0) throw notAnOnnxModel(path, 'the file is empty');
  try {
    return onnx.ModelProto.decode(bytes);
  } catch (e) {
    throw notAnOnnxModel(path, whyUndecodable((e as Error).message), e);
  }
}

/**
 * MODEL_CORRUPT whose message leads with the verdict and names the file:
 * `not an ONNX model: FILE: why`. The culprit is still the file.
 */
export function notAnOnnxModel(path: string | undefined, why: string, cause?: unknown): IreetsError {
  const e = new IreetsError('MODEL_CORRUPT', why, path ?? 'model', { cause });
  e.message = `not an ONNX model: ${path ? `${path}: ` : ''}${why}`;
  return e;
}

/** protobuf's complaint in words: a length past the end means a cut (or corrupt) file. */
function whyUndecodable(message: string): string {
  if (/index out of range/.test(message)) return `a field runs past the end of the data (truncated or corrupt file; ${message})`;
  if (/invalid wire type/.test(message)) return `the bytes are not protobuf (${message})`;
  return message;
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
  // Any bytes that protobuf can parse decode to some ModelProto; without these it is something else.
  if (!model.graph) throw notAnOnnxModel(opts.path, 'it has no graph');
  if (irVersion === 0) throw notAnOnnxModel(opts.path, 'it has no ir_version');
  if (irVersion < IR_VERSIONS.min || irVersion > IR_VERSIONS.max) {
    throw new IreetsError('MODEL_UNSUPPORTED', `ONNX IR version ${irVersion} is not supported (${IR_VERSIONS.min}–${IR_VERSIONS.max})`, where);
  }
  // Required from IR 3 on; writers put it after the graph, so a cut file often ends before it.
  if (!model.opsetImport?.length) throw notAnOnnxModel(opts.path, 'it imports no opset (truncated?)');
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
    externalFiles: opts.externalFiles,
    symbols: new SymbolSource(),
    functions,
    declaredTypes: new Map(),
    nodeCount: 0,
    unsupported: new UnsupportedOpCollector(),
    placeholders: new Set(),
  };
  const g = model.graph;
  const gb = mod.graph();
  const scope = new NameScope();
  const env: GraphEnv = { state, gb, scope, opsets, functionDepth: 0, graphDepth: 0 };
  scanForMissingImporters(g, opsets, functions, state.unsupported);
  let outputs: Value[] = [];
  let inputNames: string[] = [];
  try {
    inputNames = bindGraphInputs(env, g, where);
    collectDeclaredTypes(state, g.output ?? []);
    importGraphBody(env, g);
    outputs = (g.output ?? []).map((vi) => {
      const name = vi.name ?? '';
      const v = resolveName(env, name, `output "${name}"`);
      v.type = refineType(v.type, state.declaredTypes.get(name));
      return v;
    });
  } catch (e) {
    // With unsupported ops found, their list is the error that matters (the rest may follow from them).
    if (state.unsupported.size === 0) throw e;
  }
  if (state.unsupported.size > 0) throw state.unsupported.error(where);

  const outputNames = (g.output ?? []).map((vi) => vi.name ?? '');
  const metadata: Record<string, string> = {
    irVersion: String(irVersion),
    opsets: [...opsets].map(([d, v]) => `${d || 'ai.onnx'}:${v}`).join(','),
  };
  if (opts.path) metadata['path'] = opts.path;
  if (model.producerName) metadata['producer'] = `${model.producerName} ${model.producerVersion ?? ''}`.trim();
  return mod.finish(gb.finish(outputs), inputNames, outputNames, metadata);
}

/** Graph inputs that are not initializers (before IR 4 initializers were listed as inputs too). */
function bindGraphInputs(env: GraphEnv, g: GraphProto, where: string): string[] {
  const { state, gb, scope } = env;
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
  return inputNames;
}
