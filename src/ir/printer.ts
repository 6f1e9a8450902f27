// A stable text form of IR modules for dumps and golden tests: values as %name, types as
// f32[N,3,224,224], attributes sorted by name, regions indented, constants by hash prefix.
import type { AttrValue, Graph, IRModule, Node, Value } from './graph.js';
import { Tensor } from './tensor.js';
import { formatType } from './types.js';

/** Constants print the first this many hex digits of their content hash. */
const HASH_PREFIX = 8;
/** Tensor attributes up to this many elements print their values; larger ones their type only. */
const INLINE_TENSOR_ELEMENTS = 8;

export function printModule(mod: IRModule): string {
  const lines: string[] = [];
  const meta = Object.keys(mod.metadata).sort().map((k) => `${k}=${JSON.stringify(mod.metadata[k])}`);
  lines.push(`module${meta.length ? ` {${meta.join(', ')}}` : ''}`);
  const g = mod.graph;
  lines.push(`func @main(${g.inputs.map(typedValue).join(', ')}) -> (${g.outputs.map(typedValue).join(', ')}) {`);
  printNodes(mod, g, '  ', lines);
  lines.push(`  return ${g.outputs.map(valueRef).join(', ')}`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** One node on one line (regions excluded): `%y = op(%a, %b) {attr=…} : type`. */
export function printNode(mod: IRModule | undefined, n: Node): string {
  const results = n.outputs.map(valueRef).join(', ');
  const types = n.outputs.map((v) => formatType(v.type)).join(', ');
  if (n.op === 'constant') {
    const hash = String(n.attrs['hash'] ?? '');
    const known = mod ? (mod.constants.has(hash) ? '' : ' (missing)') : '';
    return `${results} = constant #${hash.slice(0, HASH_PREFIX)}${known} : ${types}`;
  }
  const args = n.inputs.map((v) => (v ? valueRef(v) : '_')).join(', ');
  const attrs = formatAttrs(n.attrs);
  return `${results} = ${n.op}(${args})${attrs ? ` {${attrs}}` : ''} : ${types}`;
}

function printNodes(mod: IRModule, g: Graph, indent: string, lines: string[]): void {
  for (const n of g.nodes) {
    const head = `${indent}${printNode(mod, n)}`;
    if (n.regions.length === 0) {
      lines.push(head);
      continue;
    }
    lines.push(`${head} {`);
    n.regions.forEach((r, i) => {
      lines.push(`${indent}  ${regionLabel(n.op, i)}(${r.inputs.map(typedValue).join(', ')}) {`);
      printNodes(mod, r, `${indent}    `, lines);
      lines.push(`${indent}    yield ${r.outputs.map(valueRef).join(', ')}`);
      lines.push(`${indent}  }`);
    });
    lines.push(`${indent}}`);
  }
}

function regionLabel(op: string, i: number): string {
  if (op === 'if') return i === 0 ? 'then' : 'else';
  if (op === 'loop' || op === 'scan') return 'body';
  return `region${i}`;
}

function valueRef(v: Value): string {
  return `%${v.name}`;
}

function typedValue(v: Value): string {
  return `%${v.name}: ${formatType(v.type)}`;
}

export function formatAttrs(attrs: Readonly<Record<string, AttrValue>>): string {
  return Object.keys(attrs)
    .sort()
    .map((k) => `${k}=${formatAttr(attrs[k]!)}`)
    .join(', ');
}

function formatAttr(v: AttrValue): string {
  if (v === null) return 'null';
  if (v instanceof Tensor) {
    const type = formatType({ dtype: v.dtype, shape: v.shape });
    if (v.size > INLINE_TENSOR_ELEMENTS) return `tensor<${type}>`;
    const items = v.dtype === 'string' ? (v.data as string[]).map((s) => JSON.stringify(s))
      : v.dtype === 'i64' || v.dtype === 'u64' ? Array.from(v.data as BigInt64Array, String)
      : v.toNumbers().map(formatNumber);
    return `tensor<${type}: ${items.join(' ')}>`;
  }
  if (Array.isArray(v)) return `[${v.map((x) => (typeof x === 'string' ? JSON.stringify(x) : formatNumber(x as number))).join(', ')}]`;
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number') return formatNumber(v);
  return String(v);
}

function formatNumber(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  return String(x);
}
