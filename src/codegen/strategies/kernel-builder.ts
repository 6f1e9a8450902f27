// Statement building for the fast CPU strategies: nested scopes, unique local names, loops.
import type { DispatchRegion } from '../../ir/partition.js';
import { i32 } from '../expr.js';
import type { Expr, Kernel, Stmt, VecExpr } from '../kernel-ir.js';
import { regionBindings } from '../region-bindings.js';

export class KernelBuilder {
  private readonly scopes: Stmt[][] = [[]];
  private counter = 0;

  get body(): Stmt[] {
    return this.scopes[0]!;
  }

  emit(...s: Stmt[]): void {
    this.scopes[this.scopes.length - 1]!.push(...s);
  }

  fresh(prefix: string): string {
    return `${prefix}_${this.counter++}`;
  }

  /** `let` of an i32 expression (a constant or a local stays as it is). */
  let(e: Expr, prefix = 'x'): Expr {
    if (e.k === 'const' || e.k === 'var') return e;
    const name = this.fresh(prefix);
    this.emit({ k: 'let', name, value: e });
    return { k: 'var', name, t: 'i32' };
  }

  /** Declares an f32x4 local; returns a reference to it. */
  vlet(value: VecExpr, prefix = 'v'): VecExpr & { k: 'vvar' } {
    const name = this.fresh(prefix);
    this.emit({ k: 'vlet', name, value });
    return { k: 'vvar', name };
  }

  /** Runs `f` collecting what it emits (the caller places the statements). */
  nested(f: () => void): Stmt[] {
    const scope: Stmt[] = [];
    this.scopes.push(scope);
    try {
      f();
    } finally {
      this.scopes.pop();
    }
    return scope;
  }

  loop(start: Expr | number, end: Expr | number, body: (iv: Expr) => void, step = 1): void {
    const v = this.fresh('i');
    const inner = this.nested(() => body({ k: 'var', name: v, t: 'i32' }));
    this.emit({ k: 'for', v, start: typeof start === 'number' ? i32(start) : start, end: typeof end === 'number' ? i32(end) : end, step, body: inner });
  }

  when(cond: Expr, then: () => void, otherwise?: () => void): void {
    const t = this.nested(then);
    const e = otherwise ? this.nested(otherwise) : undefined;
    this.emit({ k: 'if', cond, then: t, ...(e && e.length > 0 ? { else: e } : {}) });
  }

  /** The built body as a CPU kernel of `region` (one thread per workgroup) over `workgroupCount` workgroups. */
  kernel(region: DispatchRegion, name: string, workgroupCount: [Expr, Expr, Expr]): Kernel {
    return { name, bindings: regionBindings(region), numParams: 0, workgroupCount, workgroupSize: [1, 1, 1], body: this.body };
  }
}
