import { uleb } from './leb128.js';

/** WebAssembly value types. */
export const I32 = 0x7f;
export const I64 = 0x7e;
export const F32 = 0x7d;
export const F64 = 0x7c;
export const V128 = 0x7b;
export type ValType = typeof I32 | typeof I64 | typeof F32 | typeof F64 | typeof V128;

export interface WasmFunction {
  params: ValType[];
  results: ValType[];
  /** Extra locals after the params. */
  locals: ValType[];
  /** Instruction bytes of the body, without the final `end`. */
  body: number[];
  exportName?: string;
}

/**
 * Writes a WebAssembly binary module: one imported memory (`env.memory`, shared when asked, so
 * worker threads run the same kernels over the same buffers) and a list of functions.
 */
export class WasmModuleBuilder {
  private readonly functions: WasmFunction[] = [];
  private readonly imported: { module: string; name: string; params: ValType[]; results: ValType[] }[] = [];

  constructor(private readonly memory: { minPages: number; maxPages: number; shared: boolean }) {}

  /** Imports a host function; returns its function index. Import all before adding functions. */
  importFunction(module: string, name: string, params: ValType[], results: ValType[]): number {
    if (this.functions.length > 0) throw new Error('import functions before defining any');
    this.imported.push({ module, name, params, results });
    return this.imported.length - 1;
  }

  /** Adds a function; returns its index in the function index space (after the imports). */
  addFunction(f: WasmFunction): number {
    this.functions.push(f);
    return this.imported.length + this.functions.length - 1;
  }

  build(): Uint8Array {
    const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
    const section = (id: number, payload: number[]): void => {
      out.push(id, ...uleb(payload.length), ...payload);
    };
    const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
    const name = (s: string): number[] => {
      const b = [...new TextEncoder().encode(s)];
      return [...uleb(b.length), ...b];
    };
    // Types: one per imported and defined function (duplicates are harmless and keep indices trivial).
    const sigs = [...this.imported, ...this.functions];
    section(1, vec(sigs.map((f) => [0x60, ...uleb(f.params.length), ...f.params, ...uleb(f.results.length), ...f.results])));
    const m = this.memory;
    const limits = m.shared ? [0x03, ...uleb(m.minPages), ...uleb(m.maxPages)] : [0x01, ...uleb(m.minPages), ...uleb(m.maxPages)];
    section(2, vec([
      ...this.imported.map((f, i) => [...name(f.module), ...name(f.name), 0x00, ...uleb(i)]),
      [...name('env'), ...name('memory'), 0x02, ...limits],
    ]));
    const nImported = this.imported.length;
    section(3, vec(this.functions.map((_, i) => uleb(nImported + i))));
    const exports = this.functions.flatMap((f, i) => (f.exportName ? [[...name(f.exportName), 0x00, ...uleb(nImported + i)]] : []));
    section(7, vec(exports));
    section(10, vec(this.functions.map((f) => {
      // Run-length encode locals by type.
      const groups: number[][] = [];
      for (const t of f.locals) {
        const last = groups[groups.length - 1];
        if (last && last[1] === t) last[0]!++;
        else groups.push([1, t]);
      }
      const body = [...uleb(groups.length), ...groups.flatMap(([n, t]) => [...uleb(n!), t!]), ...f.body, 0x0b];
      return [...uleb(body.length), ...body];
    })));
    return Uint8Array.from(out);
  }
}
