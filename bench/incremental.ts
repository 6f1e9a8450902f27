// The incremental compiler on the fixture models, one line per (model, case):
//   node --import tsx bench/incremental.ts [--models a,b] [--rounds N] [--weights external|embed] [--json]
// Each round of a model runs two fresh processes over a new cache directory, each under the Node
// flags `ireets watch` gives its compiler on this machine (a V8 pool that leaves the main thread a
// core: cli/v8-pool.ts):
//   1. a session: cold compile (empty cache), warm no-op (same process), one-op edit, weights-only
//      edit, a second edit of the same op, target switch, switch back — in that order, in one
//      process, as `ireets watch` would;
//   2. a second process: a no-op build over the cache the session left, then a one-op edit (the
//      same op once more), as a watch restarted over that cache, or a CI job sharing it, sees it.
// Times are wall time inside `compiler.compileToFile()`, what `ireets watch` runs per rebuild:
// from reading the model to the module file renamed into place (process start and opening the
// cache excluded), medians over rounds. Weights go where watch puts them by default: a parameter
// archive beside the module, rewritten only when they change (`--weights embed`: one file). An
// edited model is saved 50 ms before its build starts, as watch's debounce leaves it. The peer is
// the cold compile of the same round: each case also prints its share of it, against the goals
// fresh-process no-op ≤ 3% and one-op edit ≤ 10%.
//
// "Target switch": to the second target in TARGETS (webgpu); without one, to another tuning of
// cpu (`{"default": {"vectorize": false}}`, every region scalar).
import { spawn } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ensureFixture } from '../fixtures/generate.js';
import { encodeModelProto } from '../src/frontend/onnx-writer.js';
import { onnx, type ModelProto, type NodeProto, type TensorProto } from '../src/frontend/onnx-proto.js';
import { TARGETS, type Target } from '../src/stages/compile-pipeline.js';
import { openCompiler, type CompileOptions, type Explain } from '../src/stages/compiler.js';
import { wantedV8PoolSize } from '../cli/v8-pool.js';

export const INCREMENTAL_MODELS = ['mobilenet_v2', 'resnet18', 'minilm'] as const;

const CASES = ['cold', 'warm no-op', 'fresh-process no-op', 'fresh-process one-op edit', 'one-op edit', 'weights-only edit', 'second one-op edit', 'target switch', 'switch back'] as const;
type Case = (typeof CASES)[number];

/** Goals as a share of the cold compile. */
const GOALS: Partial<Record<Case, number>> = { 'fresh-process no-op': 0.03, 'one-op edit': 0.1 };

export interface IncrementalOptions {
  models?: readonly string[];
  rounds?: number;
  /** Where compileToFile puts the weights (default 'external', as `ireets watch` does). */
  weights?: 'embed' | 'external';
  json?: boolean;
}

interface Sample {
  ms: number;
  summary: string;
  stagesRun: string;
}

export interface IncrementalResult {
  model: string;
  case: Case;
  median_ms: number;
  /** median_ms over the cold compile's median. */
  of_cold: number;
  goal?: number;
  /** What the last round's build did, e.g. "1 of 113 dispatches recompiled". */
  summary: string;
  stages_run: string;
  detail?: string;
}

const SELF = fileURLToPath(import.meta.url);

export async function runIncrementalBench(options: IncrementalOptions = {}): Promise<IncrementalResult[]> {
  const models = options.models ?? INCREMENTAL_MODELS;
  const rounds = options.rounds ?? 3;
  const weights = options.weights ?? 'external';
  const results: IncrementalResult[] = [];
  const other = TARGETS.find((t) => t !== 'cpu');
  if (!options.json) {
    const cores = availableParallelism();
    const load = loadavg()[0]!.toFixed(1);
    const flags = watchNodeFlags().join(' ') || 'Node defaults';
    console.log(`# incremental compile, ms inside compileToFile(), median of ${rounds}; ${cores} cores, load ${load}; ${flags}; weights ${weights}; switch = ${other ? `target ${other}` : 'tuning vectorize:false (one target)'}`);
  }
  for (const model of models) {
    const source = await ensureFixture(model);
    const samples = new Map<Case, Sample[]>(CASES.map((c) => [c, []]));
    let edits = '';
    for (let round = 0; round < rounds; round++) {
      const dir = mkdtempSync(join(tmpdir(), 'ireets-bench-incr-'));
      try {
        const path = join(dir, `${model}.onnx`);
        copyFileSync(source, path);
        const job = { path, output: join(dir, `${model}.vmfb`), cacheDir: join(dir, 'cache'), weights };
        const saves = writeEditedModels(path, dir);
        edits = saves.edits;
        const session = (await child({ ...job, mode: 'session', saves: saves.files })) as { samples: Record<string, Sample> };
        const fresh = (await child({ ...job, mode: 'noop', saves: saves.files })) as { samples: Record<string, Sample> };
        for (const [c, s] of Object.entries({ ...session.samples, ...fresh.samples })) samples.get(c as Case)!.push(s);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    const cold = median(samples.get('cold')!.map((s) => s.ms));
    for (const c of CASES) {
      const got = samples.get(c)!;
      const ms = median(got.map((s) => s.ms));
      const last = got[got.length - 1]!;
      const r: IncrementalResult = { model, case: c, median_ms: ms, of_cold: ms / cold, summary: last.summary, stages_run: last.stagesRun };
      if (GOALS[c] !== undefined) r.goal = GOALS[c];
      if (c === 'one-op edit' || c === 'second one-op edit' || c === 'weights-only edit') r.detail = edits.split('; ').find((e) => e.startsWith(c === 'weights-only edit' ? 'weight' : 'op'));
      results.push(r);
      if (!options.json) console.log(formatLine(r));
    }
  }
  if (options.json) console.log(JSON.stringify(results, null, 2));
  return results;
}

function formatLine(r: IncrementalResult): string {
  const goal = r.goal === undefined ? '' : `  goal ≤ ${(r.goal * 100).toFixed(0)}% ${r.of_cold <= r.goal ? 'met' : 'MISSED'}`;
  return `incremental ${r.model.padEnd(12)} ${r.case.padEnd(25)} ${r.median_ms.toFixed(1).padStart(8)} ms ${(r.of_cold * 100).toFixed(1).padStart(6)}% of cold  ${r.summary}; ran ${r.stages_run}${goal}`;
}

function median(xs: readonly number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** The Node flags `ireets watch` runs its compiler under on this machine (cli/v8-pool.ts). */
function watchNodeFlags(): string[] {
  const size = wantedV8PoolSize(process.execArgv, process.env, availableParallelism());
  return size === undefined ? [] : [`--v8-pool-size=${size}`];
}

/** Runs this file in a fresh process for one job (under watch's Node flags); resolves with the JSON it prints last. */
function child(job: object): Promise<unknown> {
  return new Promise((resolvePromise, reject) => {
    const p = spawn(process.execPath, [...watchNodeFlags(), '--import', 'tsx', SELF, '--child', JSON.stringify(job)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.on('error', reject);
    p.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`bench child exited with ${code}`));
      try {
        resolvePromise(JSON.parse(out.trim().split('\n').pop()!));
      } catch (e) {
        reject(e);
      }
    });
  });
}

// ---- in the child process ----

interface Job {
  mode: 'session' | 'noop';
  /** The edited models, in order (one-op edit, weights-only edit, second one-op edit). */
  saves?: string[];
  path: string;
  output: string;
  cacheDir: string;
  weights: 'embed' | 'external';
}

const SAVE_TO_BUILD_MS = 50;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The edited models a session saves over the model, written beforehand: the session process only
 * copies each into place, as an editor in another process would save it, so encoding the edits
 * costs the measured process no time and no garbage.
 */
function writeEditedModels(path: string, dir: string): { files: string[]; edits: string } {
  const model = onnx.ModelProto.decode(readFileSync(path));
  const editOp = opEdit(model);
  const save = (name: string): string => {
    const file = join(dir, name);
    writeFileSync(file, encodeModelProto(model));
    return file;
  };
  const op = editOp(1);
  const files = [save('edit-1-op.onnx')];
  const weight = editOneWeight(model);
  files.push(save('edit-2-weight.onnx'));
  // The same op edited again, as the next save of a watch session would.
  editOp(2);
  files.push(save('edit-3-op.onnx'));
  // And once more, by the second process (a watch restarted over the cache the session left).
  editOp(3);
  files.push(save('edit-4-op.onnx'));
  return { files, edits: `op ${op}; weight ${weight}` };
}

const stagesRun = (e: Explain): string =>
  e.stages
    .filter((s) => s.executed > 0)
    .map((s) => (s.executed > 1 ? `${s.stage}×${s.executed}` : s.stage))
    .join('+') || 'nothing';

async function runJob(job: Job): Promise<unknown> {
  const compiler = await openCompiler({ cacheDir: job.cacheDir });
  const samples: Record<string, Sample> = {};
  const other: Target | undefined = TARGETS.find((t) => t !== 'cpu');
  const switched: CompileOptions = other ? { target: other } : { tuning: { default: { vectorize: false } } };
  const measure = async (c: Case, options: CompileOptions = {}): Promise<void> => {
    const t0 = performance.now();
    const { explain } = await compiler.compileToFile(job.path, job.output, { ...options, weights: job.weights });
    samples[c] = { ms: performance.now() - t0, summary: explain.summary, stagesRun: stagesRun(explain) };
  };
  try {
    const [opSave, weightSave, secondOpSave, freshOpSave] = job.saves!;
    const saveAndMeasure = async (file: string, c: Case): Promise<void> => {
      copyFileSync(file, job.path);
      await sleep(SAVE_TO_BUILD_MS);
      await measure(c);
    };
    if (job.mode === 'noop') {
      await measure('fresh-process no-op');
      // Nothing of this model in memory: what the cache's facts and memos spare it (docs/incremental.md).
      await saveAndMeasure(freshOpSave!, 'fresh-process one-op edit');
      return { samples };
    }
    await measure('cold');
    await measure('warm no-op');
    await saveAndMeasure(opSave!, 'one-op edit');
    await saveAndMeasure(weightSave!, 'weights-only edit');
    // By now the process has built this model's edits before (the first edit also pays for
    // first-time work: code not yet optimized, memory the process never touched).
    await saveAndMeasure(secondOpSave!, 'second one-op edit');
    await measure('target switch', switched);
    await measure('switch back');
    return { samples };
  } finally {
    await compiler.close();
  }
}

const middle = <T>(xs: readonly T[]): T | undefined => xs[xs.length >> 1];

/**
 * Changes one op so that exactly its region changes: a layer norm's epsilon (a scalar constant
 * inlined into its kernel), else a 3x3 convolution's dilation (pads widened to keep its shape).
 * Edit `step` of the same op: epsilon ×10 again, dilation step + 1.
 */
export function opEdit(model: ModelProto): (step: number) => string {
  const nodes = model.graph!.node!;
  const epsilon = middle(nodes.filter((n) => n.opType === 'Constant' && /LayerNorm\/Constant_1$/.test(n.name ?? '')));
  if (epsilon) {
    return () => {
      const t = epsilon.attribute!.find((a) => a.name === 'value')!.t!;
      const v = readFloats(t);
      v[0] = v[0]! * 10;
      writeFloats(t, v);
      return `${epsilon.name} ×10`;
    };
  }
  const ints = (n: NodeProto, name: string): number[] => (n.attribute ?? []).find((a) => a.name === name)?.ints?.map(Number) ?? [];
  const conv = middle(nodes.filter((n) => n.opType === 'Conv' && ints(n, 'kernel_shape').join() === '3,3' && ints(n, 'strides').join() === '1,1' && ints(n, 'pads').join() === '1,1,1,1'));
  if (!conv) throw new Error('no op to edit in this model');
  return (step) => {
    const d = step + 1;
    conv.attribute = (conv.attribute ?? []).filter((a) => a.name !== 'dilations' && a.name !== 'pads');
    conv.attribute.push({ name: 'dilations', type: onnx.AttributeProto.AttributeType.INTS, ints: [d, d] });
    conv.attribute.push({ name: 'pads', type: onnx.AttributeProto.AttributeType.INTS, ints: [d, d, d, d] });
    return `${conv.name} dilation ${d}`;
  };
}

/** Scales one weight (the second input of the middle matmul, conv or gemm) by 1.01. */
function editOneWeight(model: ModelProto): string {
  const g = model.graph!;
  const inits = new Map(g.initializer!.map((t) => [t.name, t]));
  const node = middle(g.node!.filter((n) => ['MatMul', 'Conv', 'Gemm'].includes(n.opType ?? '') && inits.has(n.input?.[1])));
  if (!node) throw new Error('no weight to edit in this model');
  const t = inits.get(node.input![1])!;
  writeFloats(t, readFloats(t).map((x) => x * 1.01));
  return `${t.name} [${t.dims!.join('x')}] ×1.01`;
}

function readFloats(t: TensorProto): Float32Array {
  if (t.rawData && t.rawData.length > 0) {
    const copy = Uint8Array.from(t.rawData);
    return new Float32Array(copy.buffer);
  }
  return Float32Array.from(t.floatData ?? []);
}

function writeFloats(t: TensorProto, v: Float32Array): void {
  if (t.rawData && t.rawData.length > 0) t.rawData = new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  else t.floatData = [...v];
}

async function main(argv: readonly string[]): Promise<void> {
  const at = argv.indexOf('--child');
  if (at >= 0) {
    const out = await runJob(JSON.parse(argv[at + 1]!) as Job);
    process.stdout.write(`${JSON.stringify(out)}\n`);
    return;
  }
  const pick = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  await runIncrementalBench({
    models: pick('--models')?.split(','),
    rounds: pick('--rounds') === undefined ? undefined : Number(pick('--rounds')),
    weights: pick('--weights') === 'embed' ? 'embed' : 'external',
    json: argv.includes('--json'),
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
    process.exit(1);
  });
}
