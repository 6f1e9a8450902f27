// Invariant 1 of the design for the compiler: over random sequences of model edits (attributes,
// weights, small inlined constants, inserting and removing elementwise ops, tuning) with process
// restarts in between, on models that may keep their first weight in an external data file (a
// weight edit then rewrites only that file; files are written only when their bytes change), every module the incremental compiler returns is byte-identical to a
// clean build, and the executables it compiles are exactly the regions the cache had never seen.
import fc from 'fast-check';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { externalBytes, writeOnnxModel, type OnnxModelSpec, type OnnxNodeSpec } from '../../src/frontend/onnx-writer.js';
import { Tensor } from '../../src/ir/tensor.js';
import { compileOnnx } from '../../src/stages/compile-pipeline.js';
import { openCompiler, type Compiler } from '../../src/stages/compiler.js';

type Act =
  | { op: 'Relu' | 'Sigmoid' | 'Tanh' | 'Neg' | 'Abs' }
  | { op: 'LeakyRelu' | 'Elu'; alpha: number }
  | { op: 'HardSigmoid'; alpha: number; beta: number };

interface Layer {
  out: number;
  /** Seeds of the weight (a binding) and of the bias (≤ 16 elements: inlined into its region). */
  weightSeed: number;
  biasSeed: number;
  acts: Act[];
}

interface Model {
  /** The first layer's weight lives in w0.bin beside the model. */
  external: boolean;
  batch: number | 'N';
  inFeatures: number;
  layers: Layer[];
}

type Edit =
  | { kind: 'attr' | 'weight' | 'bias' | 'remove'; layer: number; at: number; value: number }
  | { kind: 'insert'; layer: number; at: number; act: Act }
  | { kind: 'vectorize'; value: boolean }
  | { kind: 'restart' };

const ALPHAS = [0.01, 0.1, 0.2, 0.3];

const actArb: fc.Arbitrary<Act> = fc.oneof(
  fc.record({ op: fc.constantFrom('Relu' as const, 'Sigmoid' as const, 'Tanh' as const, 'Neg' as const, 'Abs' as const) }),
  fc.record({ op: fc.constantFrom('LeakyRelu' as const, 'Elu' as const), alpha: fc.constantFrom(...ALPHAS) }),
  fc.record({ op: fc.constant('HardSigmoid' as const), alpha: fc.constantFrom(...ALPHAS), beta: fc.constantFrom(0.5, 0.6) }),
);

const layerArb: fc.Arbitrary<Layer> = fc.record({
  out: fc.constantFrom(4, 8, 16),
  weightSeed: fc.integer({ min: 1, max: 3 }),
  biasSeed: fc.integer({ min: 1, max: 3 }),
  acts: fc.array(actArb, { minLength: 0, maxLength: 3 }),
});

const modelArb: fc.Arbitrary<Model> = fc.record({
  external: fc.boolean(),
  batch: fc.constantFrom(2, 'N' as const),
  inFeatures: fc.constantFrom(4, 8),
  layers: fc.array(layerArb, { minLength: 1, maxLength: 3 }),
});

const editArb: fc.Arbitrary<Edit> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constantFrom('attr' as const, 'weight' as const, 'bias' as const, 'remove' as const), layer: fc.nat(), at: fc.nat(), value: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('insert' as const), layer: fc.nat(), at: fc.nat(), act: actArb }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('vectorize' as const), value: fc.boolean() }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'restart' as const }) },
);

/** Deterministic values in [-1, 1) from a seed (an LCG: the same seed, the same tensor). */
function values(seed: number, n: number): Float32Array {
  let s = seed * 2654435761 >>> 0;
  return Float32Array.from({ length: n }, () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 31 - 1;
  });
}

function specOf(m: Model): OnnxModelSpec {
  const nodes: OnnxNodeSpec[] = [];
  const initializers: { name: string; tensor: Tensor; external?: { location: string } }[] = [];
  let x = 'x';
  let width = m.inFeatures;
  m.layers.forEach((l, i) => {
    const w = new Tensor('f32', [width, l.out], values(l.weightSeed * 7 + i, width * l.out));
    initializers.push({ name: `w${i}`, tensor: w, ...(i === 0 && m.external ? { external: { location: 'w0.bin' } } : {}) });
    initializers.push({ name: `b${i}`, tensor: new Tensor('f32', [l.out], values(l.biasSeed * 13 + i, l.out)) });
    nodes.push({ op: 'MatMul', inputs: [x, `w${i}`], outputs: [`mm${i}`] });
    nodes.push({ op: 'Add', inputs: [`mm${i}`, `b${i}`], outputs: [`h${i}_0`] });
    x = `h${i}_0`;
    l.acts.forEach((a, k) => {
      const attrs = a.op === 'HardSigmoid' ? { alpha: { float: a.alpha }, beta: { float: a.beta } } : 'alpha' in a ? { alpha: { float: a.alpha } } : {};
      nodes.push({ op: a.op, inputs: [x], outputs: [`h${i}_${k + 1}`], attrs });
      x = `h${i}_${k + 1}`;
    });
    width = l.out;
  });
  nodes.push({ op: 'Identity', inputs: [x], outputs: ['y'] });
  return {
    opset: 17,
    graph: {
      inputs: [{ name: 'x', dtype: 'f32', shape: [m.batch, m.inFeatures] }],
      outputs: [{ name: 'y', dtype: 'f32', shape: [m.batch, width] }],
      initializers,
      nodes,
    },
  };
}

/** Applies an edit in place; edits that find nothing to change leave the model as it is. */
function apply(m: Model, e: Edit): void {
  if (e.kind === 'restart' || e.kind === 'vectorize') return;
  const l = m.layers[e.layer % m.layers.length]!;
  switch (e.kind) {
    case 'weight': l.weightSeed = 1 + (e.value % 3); return;
    case 'bias': l.biasSeed = 1 + (e.value % 3); return;
    case 'insert': l.acts.splice(e.at % (l.acts.length + 1), 0, e.act); return;
    case 'remove': if (l.acts.length > 0) l.acts.splice(e.at % l.acts.length, 1); return;
    case 'attr': {
      const tunable = l.acts.filter((a): a is Exclude<Act, { op: 'Relu' }> => 'alpha' in a);
      if (tunable.length > 0) tunable[e.at % tunable.length]!.alpha = ALPHAS[e.value % ALPHAS.length]!;
    }
  }
}

/** Writes a file only when its bytes differ: an edit of the data alone leaves the model's stamp as it was. */
function writeIfChanged(path: string, bytes: Uint8Array): void {
  if (existsSync(path) && Buffer.from(readFileSync(path)).equals(Buffer.from(bytes))) return;
  writeFileSync(path, bytes);
}

describe('incremental compilation = clean build (property)', () => {
  it('holds over random edit sequences with restarts', async () => {
    await fc.assert(
      fc.asyncProperty(modelArb, fc.array(editArb, { minLength: 3, maxLength: 7 }), async (initial, edits) => {
        const dir = mkdtempSync(join(tmpdir(), 'ireets-incr-prop-'));
        const path = join(dir, 'model.onnx');
        const model: Model = structuredClone(initial);
        let compiler: Compiler = await openCompiler({ cacheDir: join(dir, 'cache') });
        // Region keys whose executables the cache holds, per tuning (vectorize on/off).
        const seen = { true: new Set<string>(), false: new Set<string>() };
        let vectorize = true;
        try {
          for (const e of [null, ...edits]) {
            if (e?.kind === 'restart') {
              await compiler.close();
              compiler = await openCompiler({ cacheDir: join(dir, 'cache') });
              continue;
            }
            if (e?.kind === 'vectorize') vectorize = e.value;
            if (e) apply(model, e);
            const spec = specOf(model);
            const bytes = writeOnnxModel(spec);
            writeIfChanged(path, bytes);
            const w0 = spec.graph.initializers!.find((i) => i.name === 'w0' && 'external' in i);
            if (w0) writeIfChanged(join(dir, 'w0.bin'), externalBytes(w0.tensor));
            const tuning = vectorize ? {} : { default: { vectorize: false } };
            const { module, explain } = await compiler.compile(path, { tuning });
            const known = seen[`${vectorize}`];
            if (vectorize) {
              const reference = await compileOnnx(bytes, { path });
              expect(Buffer.from(module).equals(Buffer.from(reference.module))).toBe(true);
            }
            // Exactly the regions this cache never compiled (with this tuning) were compiled.
            const keys = new Set(explain.recompiled.map((r) => r.regionKey));
            const clean = await openCompiler({ cacheDir: join(dir, `clean-${Math.random().toString(36).slice(2)}`) });
            try {
              const fresh = await clean.compile(path, { tuning });
              expect(Buffer.from(module).equals(Buffer.from(fresh.module))).toBe(true);
              const all = new Set(fresh.explain.recompiled.map((r) => r.regionKey));
              expect(keys).toEqual(new Set([...all].filter((k) => !known.has(k))));
              for (const k of all) known.add(k);
            } finally {
              await clean.close();
            }
          }
        } finally {
          await compiler.close();
          rmSync(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 40 },
    );
  }, 120_000);
});
