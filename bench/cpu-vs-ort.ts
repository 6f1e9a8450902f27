// CPU latency of the fixture models, batch 1: ireets (`cpu` device, worker pool) against
// onnxruntime-web (its wasm backend, run in Node) and onnxruntime-node, measured side by side in
// one run, one line per (model, threads) with the ratios:
//   node --import tsx bench/cpu-vs-ort.ts [--models a,b] [--threads 1,2] [--runs R] [--warmup W] [--rounds N] [--json]
// Each engine measures in a child process of its own (ort-web fixes its thread count when its
// wasm module starts, and a peer's thread pool left spinning would slow the next engine), and
// the engines take turns for several rounds so a noisy, shared machine slows them alike.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { ensureFixture } from '../fixtures/generate.js';
import { fixtureInputs } from '../fixtures/inputs.js';
import type { FixtureName } from '../fixtures/catalog.js';
import { CpuDevice } from '../src/hal/cpu/cpu-device.js';
import { median } from '../src/runtime/benchmark.js';
import { Session } from '../src/runtime/session.js';
import type { RuntimeTensor } from '../src/runtime/tensor.js';
import { compileOnnx } from '../src/stages/compile-pipeline.js';

export const DEFAULT_MODELS: readonly FixtureName[] = ['mobilenet_v2', 'resnet18', 'minilm'];
/**
 * Untimed runs first. V8 compiles wasm lazily and moves hot functions to its optimizing tier
 * after a while: onnxruntime-web's MiniLM reaches its steady speed only after ~14 runs.
 */
export const DEFAULT_WARMUP = 20;

export interface CpuVsOrtOptions {
  models?: readonly FixtureName[];
  threads?: readonly number[];
  /** Timed runs per engine per round. */
  runs?: number;
  warmup?: number;
  rounds?: number;
  json?: boolean;
}

export interface CpuVsOrtResult {
  model: FixtureName;
  threads: number;
  ireets_ms: number;
  ort_web_ms: number;
  ort_node_ms: number;
}

type Engine = { name: 'ireets' | 'ort_web' | 'ort_node'; run: () => Promise<unknown>; close: () => Promise<void> };

const ORT_TYPES: Readonly<Record<string, string>> = { f32: 'float32', i64: 'int64' };

async function ireetsEngine(bytes: Uint8Array, path: string, inputs: RuntimeTensor[], threads: number): Promise<Engine> {
  const { module } = await compileOnnx(bytes, { path });
  const device = await CpuDevice.create({ threads });
  const session = await Session.load(module, device, path);
  return { name: 'ireets', run: () => session.run(inputs), close: () => device.destroy() };
}

type OrtModule = typeof import('onnxruntime-node');

async function ortEngine(name: 'ort_web' | 'ort_node', ort: OrtModule, bytes: Uint8Array, inputs: { name: string; tensor: RuntimeTensor }[], threads: number): Promise<Engine> {
  const options = name === 'ort_web'
    ? { executionProviders: ['wasm'] }
    : { executionProviders: ['cpu'], intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential' as const };
  const session = await ort.InferenceSession.create(bytes, options);
  const feeds: Record<string, InstanceType<OrtModule['Tensor']>> = {};
  for (const { name: n, tensor: t } of inputs) {
    const type = ORT_TYPES[t.dtype];
    if (!type) throw new Error(`no onnxruntime type for input ${n} of dtype ${t.dtype}`);
    feeds[n] = new ort.Tensor(type as 'float32', t.data as Float32Array, [...t.shape]);
  }
  return { name, run: () => session.run(feeds), close: () => session.release() };
}

type EngineName = Engine['name'];
const ENGINES: readonly EngineName[] = ['ireets', 'ort_web', 'ort_node'];

/** Times one engine on one model in this process: `warmup` untimed runs, then `runs` timed ones. */
async function measureEngine(engine: EngineName, model: FixtureName, threads: number, warmup: number, runs: number): Promise<number[]> {
  const path = await ensureFixture(model);
  const bytes = readFileSync(path);
  const named = fixtureInputs(model).map(({ name, tensor }) => ({ name, tensor: { dtype: tensor.dtype, shape: tensor.shape, data: tensor.data as Float32Array } }));
  let e: Engine;
  if (engine === 'ireets') {
    e = await ireetsEngine(bytes, path, named.map((n) => n.tensor), threads);
  } else if (engine === 'ort_web') {
    const ortWeb = (await import('onnxruntime-web')) as unknown as OrtModule & { env: { wasm: { numThreads: number } } };
    ortWeb.env.wasm.numThreads = threads;
    e = await ortEngine('ort_web', ortWeb, bytes, named, threads);
  } else {
    e = await ortEngine('ort_node', await import('onnxruntime-node'), bytes, named, threads);
  }
  const samples: number[] = [];
  try {
    for (let i = 0; i < warmup; i++) await e.run();
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      await e.run();
      samples.push(performance.now() - t0);
    }
  } finally {
    await e.close();
  }
  return samples;
}

/** One engine's timed runs in a child process of its own (no thread pool of a peer left spinning beside it). */
function childSamples(engine: EngineName, model: FixtureName, threads: number, o: Required<CpuVsOrtOptions>): Promise<number[]> {
  const script = fileURLToPath(import.meta.url);
  const args = ['--import', 'tsx', script, '--child', engine, '--models', model, '--threads', String(threads), '--runs', String(o.runs), '--warmup', String(o.warmup)];
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) reject(new Error(`benchmark child (${engine}, ${model}, ${threads} thread(s)) exited with ${code}`));
      else resolvePromise(JSON.parse(out.trim().split('\n').pop()!) as number[]);
    });
  });
}

export function formatLine(r: CpuVsOrtResult): string {
  const ratio = (x: number): string => (r.ireets_ms / x).toFixed(2);
  return `cpu-vs-ort ${r.model.padEnd(12)} threads ${r.threads}  ireets ${r.ireets_ms.toFixed(1).padStart(7)} ms  ort-web ${r.ort_web_ms.toFixed(1).padStart(7)} ms  ort-node ${r.ort_node_ms.toFixed(1).padStart(7)} ms  ireets/ort-web ${ratio(r.ort_web_ms)}  ireets/ort-node ${ratio(r.ort_node_ms)}`;
}

/**
 * Every (model, threads) case: the engines take turns, round after round (so a noisy machine
 * slows them alike), each run in a fresh child process; the line reports each engine's median
 * over all its timed runs.
 */
export async function runCpuVsOrt(options: CpuVsOrtOptions = {}): Promise<CpuVsOrtResult[]> {
  const o: Required<CpuVsOrtOptions> = {
    models: options.models ?? DEFAULT_MODELS,
    threads: options.threads ?? [1, 2],
    runs: options.runs ?? 5,
    warmup: options.warmup ?? DEFAULT_WARMUP,
    rounds: options.rounds ?? 3,
    json: options.json ?? false,
  };
  const all: CpuVsOrtResult[] = [];
  for (const threads of o.threads) {
    for (const model of o.models) {
      const samples = new Map<EngineName, number[]>(ENGINES.map((e) => [e, []]));
      for (let r = 0; r < o.rounds; r++) {
        for (const engine of ENGINES) samples.get(engine)!.push(...await childSamples(engine, model, threads, o));
      }
      const result: CpuVsOrtResult = {
        model,
        threads,
        ireets_ms: median(samples.get('ireets')!),
        ort_web_ms: median(samples.get('ort_web')!),
        ort_node_ms: median(samples.get('ort_node')!),
      };
      all.push(result);
      process.stdout.write(`${o.json ? JSON.stringify(result) : formatLine(result)}\n`);
    }
  }
  return all;
}

function parseArgs(argv: readonly string[]): CpuVsOrtOptions & { child?: EngineName } {
  const o: CpuVsOrtOptions & { child?: EngineName } = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    switch (a) {
      case '--child': o.child = next() as EngineName; break;
      case '--json': o.json = true; break;
      case '--models': o.models = next().split(',') as FixtureName[]; break;
      case '--threads': o.threads = next().split(',').map(Number); break;
      case '--runs': o.runs = Number(next()); break;
      case '--warmup': o.warmup = Number(next()); break;
      case '--rounds': o.rounds = Number(next()); break;
      default: throw new Error(`unknown option ${a}`);
    }
  }
  return o;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const args = parseArgs(process.argv.slice(2));
  const run = async (): Promise<void> => {
    if (args.child) {
      const samples = await measureEngine(args.child, args.models![0]!, args.threads![0]!, args.warmup ?? DEFAULT_WARMUP, args.runs ?? 5);
      process.stdout.write(`${JSON.stringify(samples)}\n`);
      // ort-web's worker threads keep the process alive.
      process.exit(0);
    }
    await runCpuVsOrt(args);
  };
  run().catch((e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    process.exit(1);
  });
}
