// Imports ONNX graphs (the main graph, subgraphs of control flow, inlined local functions) node
// by node into IR through the op importers.
import { GraphBuilder, type ModuleBuilder } from '../ir/builder.js';
import type { Graph, Value } from '../ir/graph.js';
import type { TensorType } from '../ir/types.js';
import { IreetsError } from '../util/errors.js';
import { NodeAttributes } from './attributes.js';
import { createImportContext } from './import-context.js';
import { importInitializer } from './initializers.js';
import { NameScope } from './name-scope.js';
import { longToNumber, type AttributeProto, type FunctionProto, type GraphProto, type LongLike, type NodeProto, type ValueInfoProto } from './onnx-proto.js';
import { getImporter, type ImportContext, type OpImporter } from './registry.js';
import { domainName, nodeLabel, normalizeDomain, type UnsupportedOpCollector } from './unsupported-ops.js';
import { refineType, tensorTypeOf, type SymbolSource } from './value-types.js';

export { normalizeDomain } from './unsupported-ops.js';

/** State shared by everything imported into one module. */
export interface ModuleImportState {
  readonly mod: ModuleBuilder;
  /** Directory of the model file; external data is relative to it. */
  readonly baseDir: string;
  /** External data files read before the import (ImportOptions.externalFiles). */
  readonly externalFiles: ReadonlyMap<string, Uint8Array> | undefined;
  readonly symbols: SymbolSource;
  /** Model-local functions by `domain:name`; calls to them are inlined. */
  readonly functions: ReadonlyMap<string, FunctionProto>;
  /** Types the model declares for values (value_info, outputs): hints that refine inference. */
  readonly declaredTypes: Map<string, TensorType>;
  nodeCount: number;
  /** Unsupported nodes found so far; while there are any, import goes on to find the rest. */
  readonly unsupported: UnsupportedOpCollector;
  /** Values standing in for outputs of nodes that were not imported (unsupported or failed). */
  readonly placeholders: Set<number>;
}

/** Where one graph's nodes go and what they can see. */
export interface GraphEnv {
  readonly state: ModuleImportState;
  readonly gb: GraphBuilder;
  readonly scope: NameScope;
  /** Opset version per domain ('' is the default domain). */
  readonly opsets: ReadonlyMap<string, number>;
  /** Inside an inlined function: the calling node's attributes, for `ref_attr_name`. */
  readonly callerAttrs?: NodeAttributes;
  /** How deep in nested function calls; bounds runaway recursion in malformed models. */
  readonly functionDepth: number;
  /** How deep in nested subgraphs. */
  readonly graphDepth: number;
  /** Where this graph sits, for reports: e.g. `in attribute "body" of node "loop"`; none for the main graph. */
  readonly within?: string;
}

const MAX_FUNCTION_DEPTH = 32;
/** Subgraphs nest at most this deep (protects against stack exhaustion on malformed models). */
const MAX_GRAPH_DEPTH = 64;

/** Records a graph's declared value types as hints. */
export function collectDeclaredTypes(state: ModuleImportState, infos: readonly ValueInfoProto[]): void {
  for (const vi of infos) {
    // Hints only: non-tensor types are refused where such values are produced or consumed.
    if (!vi.name || !vi.type?.tensorType) continue;
    const t = tensorTypeOf(vi.type, state.symbols, `value "${vi.name}"`);
    if (t) state.declaredTypes.set(vi.name, t);
  }
}

/** Imports a graph's initializers and nodes into `env`; the caller binds inputs and resolves outputs. */
export function importGraphBody(env: GraphEnv, g: GraphProto, skipInitializers: ReadonlySet<string> = new Set()): void {
  collectDeclaredTypes(env.state, g.valueInfo ?? []);
  for (const t of g.initializer ?? []) {
    if (!skipInitializers.has(t.name ?? '')) env.scope.define(t.name ?? '', importInitializer(env, t));
  }
  for (const t of g.sparseInitializer ?? []) {
    const name = t.values?.name ?? '';
    env.scope.define(name, importInitializer(env, t, true));
  }
  (g.node ?? []).forEach((node, i) => importNode(env, node, i));
}

/** The value bound to a graph output (or any name), or an error naming it. */
export function resolveName(env: GraphEnv, name: string, culprit: string): Value {
  const v = env.scope.lookup(name);
  if (v === undefined) throw new IreetsError('MODEL_INVALID', `"${name}" is used but never defined`, culprit);
  if (v === null) throw new IreetsError('MODEL_INVALID', `"${name}" is used but its producer does not compute it`, culprit);
  return v;
}

/** Imports a graph attribute as an IR region: formal inputs become region inputs; outer names stay visible. */
export function importSubgraph(
  env: GraphEnv,
  g: GraphProto,
  inputTypes: readonly (TensorType | null)[] | undefined,
  culprit: string,
  within?: string,
): Graph {
  if (env.graphDepth >= MAX_GRAPH_DEPTH) throw new IreetsError('MODEL_INVALID', 'subgraphs nest too deeply', culprit);
  const gb = new GraphBuilder(env.state.mod);
  const scope = new NameScope(env.scope);
  const sub: GraphEnv = { ...env, gb, scope, graphDepth: env.graphDepth + 1, within };
  (g.input ?? []).forEach((vi, i) => {
    const name = vi.name ?? '';
    const declared = tensorTypeOf(vi.type, env.state.symbols, culprit);
    const given = inputTypes?.[i] ?? undefined;
    const type = given ? refineType(given, declared) : declared;
    if (!type) throw new IreetsError('MODEL_INVALID', `subgraph input "${name}" has no tensor type`, culprit);
    scope.define(name, gb.input(name, type));
  });
  const inputNames = new Set((g.input ?? []).map((vi) => vi.name ?? ''));
  importGraphBody(sub, g, inputNames);
  collectDeclaredTypes(env.state, g.output ?? []);
  const outputs = (g.output ?? []).map((vi) => resolveName(sub, vi.name ?? '', culprit));
  return gb.finish(outputs);
}

/**
 * Imports one node (the `index`th of its graph): dispatches to its importer (or inlines a local
 * function) and binds its outputs. An unsupported node is recorded, not thrown; its outputs get
 * placeholders, and nodes reading placeholders are skipped, so import reaches every other node.
 */
export function importNode(env: GraphEnv, node: NodeProto, index: number): void {
  const { state } = env;
  const opType = node.opType ?? '';
  const domain = normalizeDomain(node.domain);
  const name = node.name || `${opType}#${state.nodeCount}`;
  state.nodeCount++;
  const culprit = `node "${name}" (${domain ? `${domain}:` : ''}${opType})`;
  const fn = state.functions.get(`${domain}:${opType}`);
  const importer = fn ? undefined : getImporter(domain, opType);
  const opset = env.opsets.get(domain);
  const report = { node: nodeLabel(node, index), opType, domain: domainName(domain), opset, within: env.within };
  if (!fn && !importer) {
    state.unsupported.record(node, report);
    return bindPlaceholders(env, node);
  }
  try {
    const inputs = (node.input ?? []).map((n) => (n === '' ? null : resolveName(env, n, culprit)));
    if (inputs.some((v) => v && state.placeholders.has(v.id))) return bindPlaceholders(env, node);
    const attrs = new NodeAttributes(resolveAttributeRefs(env, node.attribute ?? []), culprit, state.baseDir, state.externalFiles);
    const firstNode = env.gb.nodes.length;
    let outputs: readonly (Value | null)[];
    if (fn) {
      outputs = inlineFunction(env, fn, inputs, attrs, culprit);
    } else {
      if (opset === undefined) {
        throw new IreetsError('MODEL_INVALID', `the model imports no opset for domain "${domainName(domain)}"`, culprit);
      }
      const ctx = createImportContext({
        env, attrs, opset, culprit,
        node: { opType, domain, name, inputs: node.input ?? [], outputs: node.output ?? [] },
        importRegion: (g, types, attr) => importSubgraph(env, g, types, culprit, regionLabel(env, node, index, attr)),
      });
      outputs = callImporter(importer!, ctx, inputs, culprit);
    }
    bindOutputs(env, node.output ?? [], outputs, firstNode);
  } catch (e) {
    if (e instanceof IreetsError && (e.code === 'MODEL_UNSUPPORTED' || e.code === 'MODEL_UNSUPPORTED_OP')) {
      state.unsupported.record(node, { ...report, refusal: e });
      return bindPlaceholders(env, node);
    }
    // Once the model is known to be unsupported, other errors may be consequences: go on.
    if (state.unsupported.size > 0) return bindPlaceholders(env, node);
    throw e;
  }
}

function regionLabel(env: GraphEnv, node: NodeProto, index: number, attr: string): string {
  return `in attribute "${attr}" of node "${nodeLabel(node, index)}"${env.within ? ` ${env.within}` : ''}`;
}

/** Runs an importer; anything but an IreetsError escaping it is an importer bug, reported with the node. */
function callImporter(importer: OpImporter, ctx: ImportContext, inputs: readonly (Value | null)[], culprit: string): readonly (Value | null)[] {
  try {
    return importer(ctx, inputs);
  } catch (e) {
    if (e instanceof IreetsError) throw e;
    throw new IreetsError('INTERNAL', `importer failed: ${(e as Error).message}`, culprit, { cause: e });
  }
}

/** Binds a node's outputs to placeholders: the node was not imported, and nothing reading them will be. */
function bindPlaceholders(env: GraphEnv, node: NodeProto): void {
  for (const name of node.output ?? []) {
    if (name === '') continue;
    const v = env.state.mod.newValue(name, { dtype: 'f32', shape: null });
    env.state.placeholders.add(v.id);
    env.scope.define(name, v);
  }
}

/** Binds ONNX output names; values this node created take the ONNX names and declared types. */
function bindOutputs(env: GraphEnv, names: readonly string[], outputs: readonly (Value | null)[], firstNode: number): void {
  const created = new Set<number>();
  for (let i = firstNode; i < env.gb.nodes.length; i++) for (const v of env.gb.nodes[i]!.outputs) created.add(v.id);
  names.forEach((oname, i) => {
    if (oname === '') return;
    const v = outputs[i] ?? null;
    if (v && created.has(v.id)) {
      if (v.name !== oname) v.name = env.state.mod.uniqueName(oname);
      v.type = refineType(v.type, env.state.declaredTypes.get(oname));
    }
    env.scope.define(oname, v);
  });
}

/** Attributes with `ref_attr_name` (inside functions) take the calling node's attribute of that name. */
function resolveAttributeRefs(env: GraphEnv, attrs: readonly AttributeProto[]): AttributeProto[] {
  if (!attrs.some((a) => a.refAttrName)) return [...attrs];
  const out: AttributeProto[] = [];
  for (const a of attrs) {
    if (!a.refAttrName) {
      out.push(a);
      continue;
    }
    const given = env.callerAttrs?.proto(a.refAttrName);
    if (given) out.push({ ...given, name: a.name });
  }
  return out;
}

/** Inlines a model-local function: its body is imported in a closed scope bound to the call's inputs. */
function inlineFunction(
  env: GraphEnv,
  fn: FunctionProto,
  inputs: readonly (Value | null)[],
  attrs: NodeAttributes,
  culprit: string,
): (Value | null)[] {
  if (env.functionDepth >= MAX_FUNCTION_DEPTH) {
    throw new IreetsError('MODEL_INVALID', `function ${fn.name} nests too deeply (recursive?)`, culprit);
  }
  const opsets = new Map(env.opsets);
  for (const o of fn.opsetImport ?? []) opsets.set(normalizeDomain(o.domain), longToNumber(o.version as LongLike));
  const scope = new NameScope();
  (fn.input ?? []).forEach((n, i) => scope.define(n, inputs[i] ?? null));
  const within = `in function ${domainName(normalizeDomain(fn.domain))}:${fn.name ?? ''}`;
  const body: GraphEnv = { ...env, scope, opsets, callerAttrs: attrs, functionDepth: env.functionDepth + 1, within };
  (fn.node ?? []).forEach((node, i) => importNode(body, node, i));
  return (fn.output ?? []).map((n) => {
    const v = scope.lookup(n);
    if (v === undefined) throw new IreetsError('MODEL_INVALID', `function ${fn.name} output "${n}" is never defined`, culprit);
    return v;
  });
}
