// Unsupported ops are reported all at once: a user porting a model wants the whole list, not one
// op per attempt. A static scan finds every node without an importer (main graph, subgraphs,
// local functions); import then goes on past unsupported nodes to find the uses of known ops
// that an importer refuses (an attribute value, a dtype), and one error lists them all.
import { IreetsError } from '../util/errors.js';
import { longToNumber, type FunctionProto, type GraphProto, type LongLike, type NodeProto } from './onnx-proto.js';
import { getImporter } from './registry.js';

/** One node ireets cannot import. */
export interface UnsupportedOp {
  /** The node's name, or `#<index>` in its graph when it has none. */
  readonly node: string;
  readonly opType: string;
  /** 'ai.onnx' for the default domain. */
  readonly domain: string;
  /** The opset the model imports for that domain (undefined: none). */
  readonly opset: number | undefined;
  /** Where a subgraph or function node sits, e.g. `in attribute "body" of node "loop"`. */
  readonly within?: string;
  /** Set when an importer refused this use of a known op: the refusal. */
  readonly refusal?: IreetsError;
}

/** MODEL_UNSUPPORTED_OP listing every unsupported node; `ops` has them for programs. */
export class UnsupportedOpsError extends IreetsError {
  constructor(readonly ops: readonly UnsupportedOp[], message: string, culprit: string) {
    super(ops.some(isMissingOp) ? 'MODEL_UNSUPPORTED_OP' : 'MODEL_UNSUPPORTED', message, culprit);
  }
}

function isMissingOp(op: UnsupportedOp): boolean {
  return !op.refusal || op.refusal.code === 'MODEL_UNSUPPORTED_OP';
}

/** Lines listed in one error; a model with more unsupported nodes gets a count of the rest. */
const MAX_LISTED = 100;

export function domainName(domain: string): string {
  return domain || 'ai.onnx';
}

/** The unsupported nodes found so far in one model; a node counts once however often it is imported (functions). */
export class UnsupportedOpCollector {
  private readonly found = new Map<NodeProto, UnsupportedOp>();

  get size(): number {
    return this.found.size;
  }

  has(node: NodeProto): boolean {
    return this.found.has(node);
  }

  record(node: NodeProto, op: UnsupportedOp): void {
    if (!this.found.has(node)) this.found.set(node, op);
  }

  /** The error to throw. One importer refusal is rethrown as it was. */
  error(where: string): IreetsError {
    const ops = [...this.found.values()];
    if (ops.length === 1 && ops[0]!.refusal) return ops[0]!.refusal;
    if (ops.length === 1) {
      const op = ops[0]!;
      return new UnsupportedOpsError(ops, `ONNX op ${describeOp(op)} is not supported${op.within ? ` (${op.within})` : ''}`, `node "${op.node}"`);
    }
    const types = [...new Set(ops.map((o) => (o.domain === 'ai.onnx' ? o.opType : `${o.domain}:${o.opType}`)))];
    const lines = ops.slice(0, MAX_LISTED).map((o) => `  ${describeNode(o)}`);
    if (ops.length > MAX_LISTED) lines.push(`  … and ${ops.length - MAX_LISTED} more`);
    const how = ops.some(isMissingOp) ? 'ONNX ops ireets does not support' : 'ONNX ops in ways ireets does not support';
    const head = `${ops.length} nodes use ${how} (${types.join(', ')}):`;
    return new UnsupportedOpsError(ops, [head, ...lines].join('\n'), where);
  }
}

function describeOp(op: UnsupportedOp): string {
  return `${op.opType} (domain ${op.domain}, opset ${op.opset ?? 'not imported'})`;
}

function describeNode(op: UnsupportedOp): string {
  const where = op.within ? ` ${op.within}` : '';
  return `node "${op.node}": ${describeOp(op)}${where}${op.refusal ? `: ${bareMessage(op.refusal)}` : ''}`;
}

/** An IreetsError's message without its culprit prefix. */
export function bareMessage(e: IreetsError): string {
  const prefix = e.culprit ? `${e.culprit}: ` : '';
  return prefix && e.message.startsWith(prefix) ? e.message.slice(prefix.length) : e.message;
}

export function normalizeDomain(domain: string | null | undefined): string {
  return !domain || domain === 'ai.onnx' ? '' : domain;
}

/** The name a node is reported under. */
export function nodeLabel(node: NodeProto, index: number): string {
  return node.name || `#${index}`;
}

/** Subgraphs nest at most this deep in the scan (import refuses deeper ones itself). */
const MAX_SCAN_DEPTH = 64;

/**
 * Records every node of the model that has neither an importer nor a model-local function, in
 * the main graph, every subgraph and every function reached from them.
 */
export function scanForMissingImporters(
  graph: GraphProto,
  opsets: ReadonlyMap<string, number>,
  functions: ReadonlyMap<string, FunctionProto>,
  out: UnsupportedOpCollector,
): void {
  const scanned = new Set<FunctionProto>();
  const scanNodes = (nodes: readonly NodeProto[], opsetsHere: ReadonlyMap<string, number>, within: string | undefined, depth: number) => {
    if (depth > MAX_SCAN_DEPTH) return;
    nodes.forEach((node, index) => {
      const domain = normalizeDomain(node.domain);
      const opType = node.opType ?? '';
      const fn = functions.size > 0 ? functions.get(`${domain}:${opType}`) : undefined;
      if (fn) {
        if (!scanned.has(fn)) {
          scanned.add(fn);
          const fnOpsets = new Map(opsetsHere);
          for (const o of fn.opsetImport ?? []) fnOpsets.set(normalizeDomain(o.domain), longToNumber(o.version as LongLike));
          scanNodes(fn.node ?? [], fnOpsets, `in function ${domainName(domain)}:${opType}`, depth + 1);
        }
      } else if (!getImporter(domain, opType)) {
        out.record(node, { node: nodeLabel(node, index), opType, domain: domainName(domain), opset: opsetsHere.get(domain), within });
      }
      for (const a of node.attribute ?? []) {
        if (!a.g && !a.graphs?.length) continue; // most attributes hold no graph: no label to build
        const label = `in attribute "${a.name ?? ''}" of node "${nodeLabel(node, index)}"${within ? ` ${within}` : ''}`;
        if (a.g) scanNodes(a.g.node ?? [], opsetsHere, label, depth + 1);
        for (const g of a.graphs ?? []) scanNodes(g.node ?? [], opsetsHere, label, depth + 1);
      }
    });
  };
  scanNodes(graph.node ?? [], opsets, undefined, 0);
}
