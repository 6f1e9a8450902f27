import type { Value } from '../../ir/graph.js';
import type { Expr } from '../kernel-ir.js';
import { RegionLowering } from '../lowering/region-context.js';

/** A region context that answers reads of one value with a given expression (the accumulator). */
export class SubstitutingLowering extends RegionLowering {
  private substitute: { id: number; value: Expr } | undefined;

  setSubstitute(v: Value, value: Expr): void {
    this.substitute = { id: v.id, value };
  }

  override value(v: Value, idx: readonly Expr[]): Expr {
    if (this.substitute && v.id === this.substitute.id) return this.substitute.value;
    return super.value(v, idx);
  }
}
