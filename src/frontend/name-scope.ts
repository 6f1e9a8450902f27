// ONNX tensor names → IR values, chained so subgraphs see the names of enclosing graphs.
import type { Value } from '../ir/graph.js';

export class NameScope {
  private readonly names = new Map<string, Value | null>();

  constructor(readonly parent?: NameScope) {}

  /** Binds a name; null records a name whose producer left it out (an unused optional output). */
  define(name: string, v: Value | null): void {
    this.names.set(name, v);
  }

  /** The value bound to `name` here or in an enclosing scope; undefined when never defined. */
  lookup(name: string): Value | null | undefined {
    for (let s: NameScope | undefined = this; s; s = s.parent) {
      if (s.names.has(name)) return s.names.get(name)!;
    }
    return undefined;
  }
}
