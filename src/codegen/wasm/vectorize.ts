// Which `for` loops the wasm emitter may run four iterations at a time in f32x4 lanes: a body of
// `let`s and stores over f32 bindings, whose loads and stores move with the loop variable by
// exactly one element per iteration (contiguous) or not at all (broadcast), and whose arithmetic
// has a lane-wise SIMD128 form.
import type { DType } from '../../ir/dtype.js';
import type { BinaryOp, Expr, Stmt, UnaryOp } from '../kernel-ir.js';

export const SIMD_BINARY: ReadonlySet<BinaryOp> = new Set(['add', 'sub', 'mul', 'div', 'min', 'max']);
export const SIMD_UNARY: ReadonlySet<UnaryOp> = new Set(['abs', 'neg', 'sqrt', 'floor', 'ceil', 'trunc', 'round_even']);

/** Coefficient of `v` in an i32 index expression: 0 (invariant), 1, other, or null (not affine). */
export function coefficientOf(e: Expr, v: string, bodyLocals: ReadonlySet<string>): number | null {
  switch (e.k) {
    case 'const': case 'param': case 'wgid': return 0;
    case 'var': return e.name === v ? 1 : bodyLocals.has(e.name) ? null : 0;
    case 'binary': {
      const a = coefficientOf(e.a, v, bodyLocals);
      const b = coefficientOf(e.b, v, bodyLocals);
      if (a === null || b === null || e.t !== 'i32') return null;
      if (e.op === 'add') return a + b;
      if (e.op === 'sub') return a - b;
      if (a === 0 && b === 0) return 0;
      if (e.op === 'mul' && e.a.k === 'const' && a === 0) return (e.a.v as number) * b;
      if (e.op === 'mul' && e.b.k === 'const' && b === 0) return a * (e.b.v as number);
      return null;
    }
    default: return null;
  }
}

/** Whether `body` of a loop over `v` can run in f32x4 lanes. */
export function canVectorize(v: string, body: readonly Stmt[], bindingDTypes: readonly DType[]): boolean {
  const locals = new Set<string>();
  const lane = (e: Expr): boolean => {
    switch (e.k) {
      case 'const': return e.t === 'f32';
      case 'var': return e.t === 'f32';
      case 'load': {
        if (e.t !== 'f32' || bindingDTypes[e.binding] !== 'f32') return false;
        const c = coefficientOf(e.index, v, locals);
        return c === 0 || c === 1;
      }
      case 'unary': return e.t === 'f32' && SIMD_UNARY.has(e.op) && lane(e.a);
      case 'binary': return e.t === 'f32' && SIMD_BINARY.has(e.op) && lane(e.a) && lane(e.b);
      default: return false;
    }
  };
  for (const s of body) {
    if (s.k === 'let') {
      if (!lane(s.value)) return false;
      locals.add(s.name);
    } else if (s.k === 'store') {
      if (bindingDTypes[s.binding] !== 'f32' || coefficientOf(s.index, v, locals) !== 1 || !lane(s.value)) return false;
    } else {
      return false;
    }
  }
  return body.some((s) => s.k === 'store');
}
