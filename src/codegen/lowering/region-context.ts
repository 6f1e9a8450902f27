import { describeNode, type Node, type Value } from '../../ir/graph.js';
import type { DispatchRegion } from '../../ir/partition.js';
import type { Tensor } from '../../ir/tensor.js';
import { IreetsError } from '../../util/errors.js';
import { add, cast, constant, i32, linearize, mul, select, cmp } from '../expr.js';
import { computeType, type Expr, type ScalarType, type Stmt } from '../kernel-ir.js';
import { getLowering, type LowerContext } from './registry.js';

/**
 * Builds one kernel body for a region: resolves operands to loads, inlined constants or fused
 * producers (via their lowering rules), and keeps the statement scopes of nested loops.
 */
export class RegionLowering implements LowerContext {
  private readonly scopes: Stmt[][] = [[]];
  /** Per scope: (value id, index) → local holding that element, for reuse (CSE). */
  private readonly memo: Map<string, Expr>[] = [new Map()];
  private readonly producers = new Map<number, Node>();
  private readonly bindingOf = new Map<number, number>();
  private counter = 0;

  constructor(private readonly region: DispatchRegion) {
    for (const n of region.nodes) for (const o of n.outputs) this.producers.set(o.id, n);
    region.inputs.forEach((v, i) => this.bindingOf.set(v.id, i));
  }

  /** Element offset of this workgroup's sample in a batched buffer holding `v` per sample. */
  sampleOffset(v: Value): Expr {
    const perSample = this.shape(v).reduce((a, b) => a * b, 1);
    return mul({ k: 'wgid', dim: 2 }, i32(perSample));
  }

  get statements(): Stmt[] {
    return this.scopes[0]!;
  }

  shape(v: Value): readonly number[] {
    return v.type.shape as readonly number[];
  }

  type(v: Value): ScalarType {
    return computeType(v.type.dtype);
  }

  constant(v: Value | null): Tensor | undefined {
    return v ? this.region.inlined.get(v.id) : undefined;
  }

  emit(s: Stmt): void {
    this.scopes[this.scopes.length - 1]!.push(s);
  }

  fresh(prefix: string): string {
    return `${prefix}${this.counter++}`;
  }

  bind(e: Expr, t: ScalarType): Expr {
    if (e.k === 'const' || e.k === 'var' || e.k === 'param' || e.k === 'wgid') return e;
    const name = this.fresh('t');
    this.emit({ k: 'let', name, value: e });
    return { k: 'var', name, t };
  }

  loop(start: Expr, end: Expr, body: (iv: Expr) => void, options: { vectorize?: boolean } = {}): void {
    const v = this.fresh('i');
    const inner = this.nested(() => body({ k: 'var', name: v, t: 'i32' }));
    this.emit({ k: 'for', v, start, end, step: 1, body: inner, ...(options.vectorize ? { vectorize: true } : {}) });
  }

  when(cond: Expr, then: () => void): void {
    const inner = this.nested(then);
    this.emit({ k: 'if', cond, then: inner });
  }

  private nested(f: () => void): Stmt[] {
    this.scopes.push([]);
    this.memo.push(new Map());
    try {
      f();
    } finally {
      this.memo.pop();
    }
    return this.scopes.pop()!;
  }

  value(v: Value, idx: readonly Expr[]): Expr {
    const t = this.type(v);
    const inlined = this.region.inlined.get(v.id);
    if (inlined) return inlinedElement(inlined, idx, t);
    const binding = this.bindingOf.get(v.id);
    if (binding !== undefined) {
      const index = linearize(idx, this.shape(v));
      return { k: 'load', binding, index: this.region.batchedInputs[binding] ? add(index, this.sampleOffset(v)) : index, t };
    }
    const key = `${v.id}@${JSON.stringify(idx, (_k, x: unknown) => (typeof x === 'bigint' ? `${x}n` : x))}`;
    for (let s = this.memo.length - 1; s >= 0; s--) {
      const hit = this.memo[s]!.get(key);
      if (hit) return hit;
    }
    const node = this.producers.get(v.id);
    if (!node) throw new IreetsError('INTERNAL', `region reads %${v.name}, which it neither computes nor binds`);
    const rule = getLowering(node.op);
    if (!rule) {
      throw new IreetsError('MODEL_UNSUPPORTED_OP', `the CPU code generator has no lowering for IR op ${node.op}`, describeNode(node));
    }
    let e: Expr;
    try {
      e = rule(this, node, idx, node.outputs.indexOf(v));
    } catch (err) {
      if (err instanceof IreetsError) throw err;
      throw new IreetsError('MODEL_UNSUPPORTED', (err as Error).message, describeNode(node), { cause: err });
    }
    const bound = this.bind(e, t);
    this.memo[this.memo.length - 1]!.set(key, bound);
    return bound;
  }
}

/** An element of a small compile-time tensor: an immediate, or a select chain for run-time indices. */
function inlinedElement(t: Tensor, idx: readonly Expr[], ct: ScalarType): Expr {
  const elem = (i: number): Expr => constant(ct, ct === 'i64' || ct === 'u64' ? t.getBigInt(i) : t.getNumber(i));
  const lin = linearize(idx, t.shape);
  if (lin.k === 'const') return elem(lin.v as number);
  let e = elem(0);
  for (let i = 1; i < t.size; i++) e = select(cmp('eq', lin, i32(i)), elem(i), e, ct);
  return e;
}

export { cast };
