// Tools over kernel-IR expressions the strategies need: substitution of locals, renaming the
// locals of a statement list, and evaluation of i32 index expressions over a grid of points
// (operand access analysis checks an access pattern against every point it will be used at).
import type { Expr, ScalarType, Stmt, VecExpr } from '../kernel-ir.js';

const COMPARISONS: ReadonlySet<string> = new Set(['eq', 'ne', 'lt', 'le', 'gt', 'ge']);

/** The type an expression evaluates to (comparisons and predicates give i32). */
export function exprType(e: Expr): ScalarType {
  switch (e.k) {
    case 'param': case 'wgid': case 'lid': return 'i32';
    case 'binary': return COMPARISONS.has(e.op) ? 'i32' : e.t;
    case 'unary': return e.op === 'is_nan' || e.op === 'is_inf_pos' || e.op === 'is_inf_neg' || e.op === 'not' ? 'i32' : e.t;
    default: return e.t;
  }
}

/** `e` with every `var` named in `env` replaced by its expression. */
export function substitute(e: Expr, env: ReadonlyMap<string, Expr>): Expr {
  switch (e.k) {
    case 'var': return env.get(e.name) ?? e;
    case 'load': return { ...e, index: substitute(e.index, env) };
    case 'unary': return { ...e, a: substitute(e.a, env) };
    case 'binary': return { ...e, a: substitute(e.a, env), b: substitute(e.b, env) };
    case 'select': return { ...e, cond: substitute(e.cond, env), a: substitute(e.a, env), b: substitute(e.b, env) };
    case 'cast': case 'bitcast': return { ...e, a: substitute(e.a, env) };
    default: return e;
  }
}

/**
 * Folds a list of `let`s into the expression that uses them. Undefined when the list holds
 * anything else (loops, mutable locals, stores): the value is then no pure expression.
 */
export function inlineLets(stmts: readonly Stmt[], result: Expr): Expr | undefined {
  const env = new Map<string, Expr>();
  for (const s of stmts) {
    if (s.k !== 'let') return undefined;
    env.set(s.name, substitute(s.value, env));
  }
  return substitute(result, env);
}

/** Renames locals declared in `stmts` (and their uses there and in `tail`) to `prefix` + name. */
export function renameLocals(stmts: readonly Stmt[], prefix: string): { stmts: Stmt[]; rename: (e: Expr) => Expr } {
  const names = new Set<string>();
  const collect = (list: readonly Stmt[]): void => {
    for (const s of list) {
      if (s.k === 'let' || s.k === 'var' || s.k === 'vlet') names.add(s.name);
      else if (s.k === 'for') {
        names.add(s.v);
        collect(s.body);
      } else if (s.k === 'if') {
        collect(s.then);
        if (s.else) collect(s.else);
      } else if (s.k === 'vunpack') s.names.forEach((n) => names.add(n));
    }
  };
  collect(stmts);
  const n = (x: string): string => (names.has(x) ? prefix + x : x);
  const ex = (e: Expr): Expr => {
    switch (e.k) {
      case 'var': return { ...e, name: n(e.name) };
      case 'load': return { ...e, index: ex(e.index) };
      case 'unary': return { ...e, a: ex(e.a) };
      case 'binary': return { ...e, a: ex(e.a), b: ex(e.b) };
      case 'select': return { ...e, cond: ex(e.cond), a: ex(e.a), b: ex(e.b) };
      case 'cast': case 'bitcast': return { ...e, a: ex(e.a) };
      default: return e;
    }
  };
  const vx = (e: VecExpr): VecExpr => {
    switch (e.k) {
      case 'vvar': return { ...e, name: n(e.name) };
      case 'vsplat': return { ...e, a: ex(e.a) };
      case 'vload': return { ...e, index: ex(e.index) };
      case 'vbinary': return { ...e, a: vx(e.a), b: vx(e.b) };
      case 'vunary': return { ...e, a: vx(e.a) };
      case 'vselect_lt': return { ...e, a: vx(e.a), b: vx(e.b), x: vx(e.x), y: vx(e.y) };
      case 'vshuffle': return { ...e, a: vx(e.a), b: vx(e.b) };
      case 'vmake': return { ...e, lanes: e.lanes.map(ex) as unknown as readonly [Expr, Expr, Expr, Expr] };
    }
  };
  const st = (s: Stmt): Stmt => {
    switch (s.k) {
      case 'let': case 'var': case 'assign': return { ...s, name: n(s.name), value: ex(s.value) };
      case 'store': return { ...s, index: ex(s.index), value: ex(s.value) };
      case 'for': return { ...s, v: n(s.v), start: ex(s.start), end: ex(s.end), body: s.body.map(st) };
      case 'if': return { ...s, cond: ex(s.cond), then: s.then.map(st), ...(s.else ? { else: s.else.map(st) } : {}) };
      case 'vlet': return { ...s, name: n(s.name), value: vx(s.value) };
      case 'vstore': return { ...s, index: ex(s.index), value: vx(s.value) };
      case 'vunpack': return { ...s, names: s.names.map(n), value: vx(s.value) };
    }
  };
  return { stmts: stmts.map(st), rename: ex };
}

/** Whether `e` reads the local `name`. */
export function usesVar(e: Expr, name: string): boolean {
  switch (e.k) {
    case 'var': return e.name === name;
    case 'load': return usesVar(e.index, name);
    case 'unary': case 'cast': case 'bitcast': return usesVar(e.a, name);
    case 'binary': return usesVar(e.a, name) || usesVar(e.b, name);
    case 'select': return usesVar(e.cond, name) || usesVar(e.a, name) || usesVar(e.b, name);
    default: return false;
  }
}

/**
 * Evaluates an i32 index expression at `n` points: `env` gives each variable's value per point.
 * Undefined when the expression is no pure i32 computation of those variables (a load, a
 * non-i32 type, an unknown variable).
 */
export function evaluateIndex(e: Expr, env: ReadonlyMap<string, Int32Array>, n: number): Int32Array | undefined {
  const out = new Int32Array(n);
  switch (e.k) {
    case 'const':
      if (e.t !== 'i32') return undefined;
      out.fill(Number(e.v));
      return out;
    case 'var': {
      const v = env.get(e.name);
      return v ? v : undefined;
    }
    case 'binary': {
      if (e.t !== 'i32') return undefined;
      const a = evaluateIndex(e.a, env, n);
      const b = evaluateIndex(e.b, env, n);
      if (!a || !b) return undefined;
      const f = BINARY_I32[e.op];
      if (!f) return undefined;
      for (let i = 0; i < n; i++) out[i] = f(a[i]!, b[i]!);
      return out;
    }
    case 'select': {
      if (e.t !== 'i32') return undefined;
      const c = evaluateIndex(e.cond, env, n);
      const a = evaluateIndex(e.a, env, n);
      const b = evaluateIndex(e.b, env, n);
      if (!c || !a || !b) return undefined;
      for (let i = 0; i < n; i++) out[i] = c[i] ? a[i]! : b[i]!;
      return out;
    }
    default:
      return undefined;
  }
}

const BINARY_I32: Readonly<Record<string, (a: number, b: number) => number>> = {
  add: (a, b) => (a + b) | 0,
  sub: (a, b) => (a - b) | 0,
  mul: (a, b) => Math.imul(a, b),
  div: (a, b) => (b === 0 ? 0 : (a / b) | 0),
  rem: (a, b) => (b === 0 ? 0 : a % b),
  min: Math.min,
  max: Math.max,
  and: (a, b) => a & b,
  or: (a, b) => a | b,
  xor: (a, b) => a ^ b,
  shl: (a, b) => a << b,
  shr: (a, b) => a >> b,
  eq: (a, b) => +(a === b),
  ne: (a, b) => +(a !== b),
  lt: (a, b) => +(a < b),
  le: (a, b) => +(a <= b),
  gt: (a, b) => +(a > b),
  ge: (a, b) => +(a >= b),
};
