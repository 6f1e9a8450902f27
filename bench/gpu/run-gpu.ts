// The fixture models on a GPU through WebGPU (Dawn), checked against the CPU backend on the
// same machine and timed on both, in one process (GPU machine time is scarce):
//   node --import tsx bench/gpu/run-gpu.ts [--models a,b] [--runs 20] [--warmup 5] [--threads 16] [--out DIR] [--ort]
// The written fixtures (tiny_cnn, mlp_dynamic) are made in-process; the exported ones come from
// bench/gpu/skeletons/<name>.onnx (make-skeletons.ts), refilled with seeded weights here.
// Each model compiles once into a module holding both targets (webgpu, cpu); each backend then
// runs the same seeded inputs on a device of its own, made for that model and destroyed after
// (sharing one GPU and one CPU device across models doubled mobilenet_v2's GPU latency).
// Results go to DIR/gpu-results.json and DIR/gpu-results.md after every model, so a run cut
// short still leaves what it measured.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cpus } from 'node:os';
import { fixtureBytes, isExportedFixture, type FixtureName } from '../../fixtures/catalog.js';
import { fixtureInputs } from '../../fixtures/inputs.js';
import { createDevice } from '../../src/runtime/devices.js';
import { timeCalls, type LatencyStats } from '../../src/runtime/benchmark.js';
import { Session } from '../../src/runtime/session.js';
import type { RuntimeTensor } from '../../src/runtime/tensor.js';
import { compileOnnx } from '../../src/stages/compile-pipeline.js';
import type { HalDevice } from '../../src/hal/types.js';
import { compareOutputs, type OutputComparison } from './compare.js';
import { fleshOut } from './skeleton.js';
import { SKELETON_DIR } from './skeleton-dir.js';
import { formatMarkdown } from './report.js';

const ALL: readonly FixtureName[] = ['tiny_cnn', 'mlp_dynamic', 'mobilenet_v2', 'resnet18', 'minilm'];

export interface ModelResult {
  model: string;
  source: 'written' | 'skeleton';
  compile_ms?: number;
  load_ms?: { webgpu: number; cpu: number };
  /** GPU against the CPU backend, per output. */
  gpu_vs_cpu?: OutputComparison[];
  /** Each backend against onnxruntime-node (--ort), per output. */
  vs_ort?: { webgpu: OutputComparison[]; cpu: OutputComparison[] };
  webgpu?: LatencyStats;
  cpu?: LatencyStats;
  error?: string;
}

export interface RunReport {
  adapter: string;
  cpu: string;
  threads: number;
  runs: number;
  warmup: number;
  node: string;
  started: string;
  models: ModelResult[];
}

interface Options {
  models: FixtureName[];
  runs: number;
  warmup: number;
  threads: number;
  out: string;
  ort: boolean;
}

function parseArgs(argv: readonly string[]): Options {
  const o: Options = { models: [...ALL], runs: 20, warmup: 5, threads: 16, out: process.env.OUT ?? 'tmp/gpu-run', ort: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    switch (a) {
      case '--models': o.models = next().split(',') as FixtureName[]; break;
      case '--runs': o.runs = Number(next()); break;
      case '--warmup': o.warmup = Number(next()); break;
      case '--threads': o.threads = Number(next()); break;
      case '--out': o.out = next(); break;
      case '--ort': o.ort = true; break;
      default: throw new Error(`unknown option ${a}`);
    }
  }
  return o;
}

/** The model's bytes: written fixtures in-process, exported ones from their skeleton. */
function modelBytes(name: FixtureName): { bytes: Uint8Array; source: ModelResult['source'] } {
  if (!isExportedFixture(name)) return { bytes: fixtureBytes(name), source: 'written' };
  const path = join(SKELETON_DIR, `${name}.onnx`);
  if (!existsSync(path)) throw new Error(`no skeleton ${path}: run bench/gpu/make-skeletons.ts first`);
  return { bytes: fleshOut(readFileSync(path), name).bytes, source: 'skeleton' };
}

const ORT_TYPES: Readonly<Record<string, string>> = { f32: 'float32', i64: 'int64' };

/** onnxruntime-node's outputs for the same model and inputs, as a third opinion on the regenerated weights. */
async function ortOutputs(bytes: Uint8Array, names: string[], inputs: RuntimeTensor[], threads: number): Promise<RuntimeTensor[]> {
  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: threads });
  try {
    const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
    inputs.forEach((t, i) => { feeds[names[i]!] = new ort.Tensor(ORT_TYPES[t.dtype] as 'float32', t.data as Float32Array, [...t.shape]); });
    const out = await session.run(feeds);
    return session.outputNames.map((n) => ({ dtype: 'f32', shape: [...out[n]!.dims], data: out[n]!.data as Float32Array }));
  } finally {
    await session.release();
  }
}

/** Loads the module on a fresh device, runs it once (the outputs), then times it; the device goes after. */
async function onDevice(module: Uint8Array, name: string, device: HalDevice, inputs: RuntimeTensor[], o: Options): Promise<{ load_ms: number; outputs: RuntimeTensor[]; outputNames: string[]; stats: LatencyStats }> {
  try {
    const t0 = performance.now();
    const session = await Session.load(module, device, name);
    const load_ms = performance.now() - t0;
    const outputs = await session.run(inputs);
    const stats = await timeCalls(() => session.run(inputs), { warmup: o.warmup, runs: o.runs });
    return { load_ms, outputs, outputNames: session.outputs.map((s) => s.name), stats };
  } finally {
    await device.destroy();
  }
}

async function runModel(name: FixtureName, o: Options): Promise<ModelResult> {
  const { bytes, source } = modelBytes(name);
  const r: ModelResult = { model: name, source };
  const t0 = performance.now();
  const { module } = await compileOnnx(bytes, { path: `${name}.onnx`, targets: ['webgpu', 'cpu'] });
  r.compile_ms = performance.now() - t0;
  const named = fixtureInputs(name);
  const inputs: RuntimeTensor[] = named.map(({ tensor }) => ({ dtype: tensor.dtype, shape: tensor.shape, data: tensor.data as Float32Array }));
  // One device at a time, each model its own: neither backend's threads or resources sit beside the other's timing.
  const gpu = await onDevice(module, name, await createDevice('webgpu'), inputs, o);
  const cpu = await onDevice(module, name, await createDevice('cpu', { threads: o.threads }), inputs, o);
  r.load_ms = { webgpu: gpu.load_ms, cpu: cpu.load_ms };
  r.webgpu = gpu.stats;
  r.cpu = cpu.stats;
  r.gpu_vs_cpu = compareOutputs(gpu.outputNames, gpu.outputs, cpu.outputs);
  if (o.ort) {
    const ref = await ortOutputs(bytes, named.map((n) => n.name), inputs, o.threads);
    r.vs_ort = { webgpu: compareOutputs(gpu.outputNames, gpu.outputs, ref), cpu: compareOutputs(gpu.outputNames, cpu.outputs, ref) };
  }
  return r;
}

function save(report: RunReport, out: string): void {
  writeFileSync(join(out, 'gpu-results.json'), `${JSON.stringify(report, null, 1)}\n`);
  writeFileSync(join(out, 'gpu-results.md'), formatMarkdown(report));
}

async function main(argv: readonly string[]): Promise<void> {
  const o = parseArgs(argv);
  mkdirSync(o.out, { recursive: true });
  const probe = await createDevice('webgpu');
  const adapter = probe.description;
  await probe.destroy();
  const report: RunReport = {
    adapter, cpu: `${cpus()[0]?.model ?? '?'} x${cpus().length}`, threads: o.threads,
    runs: o.runs, warmup: o.warmup, node: process.version, started: new Date().toISOString(), models: [],
  };
  console.log(`adapter: ${report.adapter}; cpu: ${report.cpu}, ${o.threads} threads`);
  for (const name of o.models) {
    let r: ModelResult;
    try {
      r = await runModel(name, o);
    } catch (e) {
      r = { model: name, source: isExportedFixture(name) ? 'skeleton' : 'written', error: e instanceof Error ? (e.stack ?? e.message) : String(e) };
    }
    report.models.push(r);
    console.log(JSON.stringify(r));
    save(report, o.out);
  }
  process.stdout.write(formatMarkdown(report));
}

main(process.argv.slice(2)).then(
  // Dawn's and the worker pool's handles can keep the process alive.
  () => process.exit(0),
  (e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    process.exit(1);
  },
);
