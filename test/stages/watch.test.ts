// `ireets watch` as a pipeline over real files in temp dirs (short debounce): one event per
// rebuild, a half-written model keeps the last good module and the next save recovers, a newer
// change cancels the build in flight, the tuning spec is watched too; and the command itself.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { wantedV8PoolSize } from '../../cli/v8-pool.js';
import { fixtureSpec } from '../../fixtures/catalog.js';
import { writeOnnxModel, type OnnxModelSpec } from '../../src/frontend/onnx-writer.js';
import { compileOnnx } from '../../src/stages/compile-pipeline.js';
import { openCompiler, type Compiler, type CompilerOptions } from '../../src/stages/compiler.js';
import { watchBuilds, type WatchEvent, type WatchOptions } from '../../src/stages/watch.js';
import { formatWatchEvent } from '../../src/stages/watch-format.js';
import { describeMove, moduleRunner } from '../../src/stages/watch-run.js';
import { sameModuleFile } from '../support/module-files.js';
import { tempDirs } from '../support/temp-dirs.js';

const tempDir = tempDirs('ireets-watch-');

const DEBOUNCE_MS = 25;
const same = (a: Uint8Array, b: Uint8Array): boolean => Buffer.from(a).equals(Buffer.from(b));

/** tiny_cnn, optionally with its second conv dilated (pads widened: same shapes, one new region). */
function tinyCnn(dilated = false): Uint8Array {
  const spec: OnnxModelSpec = fixtureSpec('tiny_cnn');
  if (dilated) {
    const conv = spec.graph.nodes.filter((n) => n.op === 'Conv')[1]!;
    (conv as { attrs: Record<string, unknown> }).attrs = { ...conv.attrs, dilations: [2, 2], pads: [2, 2, 2, 2] };
  }
  return writeOnnxModel(spec);
}

/** Events of a watch, taken one at a time. */
class Events {
  private readonly queue: WatchEvent[] = [];
  private waiting: ((e: WatchEvent) => void) | undefined;
  private readonly subscription;

  constructor(events$: Observable<WatchEvent>) {
    this.subscription = events$.subscribe((e) => {
      if (this.waiting) {
        const w = this.waiting;
        this.waiting = undefined;
        w(e);
      } else this.queue.push(e);
    });
  }

  next(timeoutMs = 60_000): Promise<WatchEvent> {
    const e = this.queue.shift();
    if (e) return Promise.resolve(e);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no watch event in time')), timeoutMs);
      this.waiting = (x) => {
        clearTimeout(timer);
        resolve(x);
      };
    });
  }

  /** Whatever arrives within `ms` (expected: nothing). */
  async rest(ms: number): Promise<WatchEvent[]> {
    await new Promise((r) => setTimeout(r, ms));
    return this.queue.splice(0);
  }

  stop(): void {
    this.subscription.unsubscribe();
  }
}

async function startWatch(options: Omit<WatchOptions, 'debounceMs'>, compilerOptions: CompilerOptions = {}): Promise<{ events: Events; compiler: Compiler }> {
  const compiler = await openCompiler({ cacheDir: join(tempDir(), 'cache'), ...compilerOptions });
  return { events: new Events(watchBuilds(compiler, { debounceMs: DEBOUNCE_MS, ...options })), compiler };
}

function built(e: WatchEvent): Extract<WatchEvent, { kind: 'built' }> {
  if (e.kind !== 'built') throw new Error(`expected a build, got ${e.kind}${e.kind === 'failed' ? `: ${String(e.error)}` : ''}`);
  return e;
}

describe('watchBuilds', () => {
  it('builds at start, then rebuilds once per change: one line naming what recompiled', async () => {
    const dir = tempDir();
    const model = join(dir, 'model.onnx');
    const output = join(dir, 'model.vmfb');
    writeFileSync(model, tinyCnn());
    const { events, compiler } = await startWatch({ model, output });
    try {
      const first = built(await events.next());
      expect(first.first).toBe(true);
      expect(formatWatchEvent(first, output)).toMatch(/^built model\.vmfb in \d+ ms: 5 of 5 dispatches recompiled, module relinked$/);
      expect(await sameModuleFile(output, (await compileOnnx(tinyCnn(), { path: model })).module)).toBe(true);

      // Two saves within the quiet period: one build, of the last one.
      writeFileSync(model, tinyCnn());
      writeFileSync(model, tinyCnn(true));
      const next = built(await events.next());
      expect(next.changed).toEqual(['model']);
      expect(formatWatchEvent(next, output)).toMatch(/^rebuilt in \d+ ms: 1 of 5 dispatches recompiled \(conv 3x3, 8→16, dilation 2\), module relinked$/);
      expect(await sameModuleFile(output, (await compileOnnx(tinyCnn(true), { path: model })).module)).toBe(true);
      // Its own module file (in the same directory) triggers nothing.
      expect(await events.rest(300)).toEqual([]);
    } finally {
      events.stop();
      await compiler.close();
    }
  }, 120_000);

  it('a half-written model prints the error and keeps the last good module; the next valid save recovers', async () => {
    const dir = tempDir();
    const model = join(dir, 'model.onnx');
    const output = join(dir, 'out.vmfb');
    writeFileSync(model, tinyCnn());
    const { events, compiler } = await startWatch({ model, output });
    try {
      built(await events.next());
      const good = readFileSync(output);

      writeFileSync(model, tinyCnn(true).subarray(0, 3000)); // an editor mid-save
      const failed = await events.next();
      expect(failed.kind).toBe('failed');
      const line = formatWatchEvent(failed, output);
      expect(line).toMatch(/^error \[MODEL_CORRUPT\]: .*model\.onnx.*; keeping the last good out\.vmfb$/);
      expect(same(readFileSync(output), good)).toBe(true);

      writeFileSync(model, tinyCnn(true));
      const recovered = built(await events.next());
      expect(recovered.first).toBe(false);
      expect(recovered.explain.recompiledDispatches).toBe(1);
      expect(await sameModuleFile(output, (await compileOnnx(tinyCnn(true), { path: model })).module)).toBe(true);
    } finally {
      events.stop();
      await compiler.close();
    }
  }, 120_000);

  it('a newer change cancels the build in flight; only the newer one is built', async () => {
    const dir = tempDir();
    const model = join(dir, 'model.onnx');
    const output = join(dir, 'model.vmfb');
    writeFileSync(model, tinyCnn());
    // Reads of the model wait while the gate is closed: a build that stays in flight on demand.
    let gate: Promise<void> = Promise.resolve();
    let open = (): void => undefined;
    let reads = 0;
    const readFile_ = async (p: string): Promise<Uint8Array> => {
      reads++;
      await gate;
      return readFile(p);
    };
    const { events, compiler } = await startWatch({ model, output }, { readFile: readFile_ });
    try {
      built(await events.next());
      gate = new Promise((r) => (open = r));
      const before = reads;
      writeFileSync(model, tinyCnn(true)); // build A starts and blocks in its read
      while (reads === before) await new Promise((r) => setTimeout(r, 10));
      writeFileSync(model, tinyCnn()); // change B arrives while A is in flight
      const cancelled = await events.next();
      expect(cancelled).toEqual({ kind: 'cancelled', changed: ['model'] });
      open();
      const b = built(await events.next());
      expect(b.explain.recompiledDispatches).toBe(0); // B is the original model: everything cached
      expect(await sameModuleFile(output, (await compileOnnx(tinyCnn(), { path: model })).module)).toBe(true);
      expect(await events.rest(200)).toEqual([]);
    } finally {
      open();
      events.stop();
      await compiler.close();
    }
  }, 120_000);

  it('watches the tuning spec: a change rebuilds with it, an invalid one keeps the last good module', async () => {
    const dir = tempDir();
    const model = join(dir, 'model.onnx');
    const tuning = join(dir, 'tuning.json');
    const output = join(dir, 'model.vmfb');
    writeFileSync(model, tinyCnn());
    writeFileSync(tuning, '{}');
    const { events, compiler } = await startWatch({ model, output, tuning });
    try {
      const first = built(await events.next());
      const key = first.explain.recompiled.find((r) => r.label.startsWith('conv 3x3, 8→16'))!.regionKey;

      writeFileSync(tuning, JSON.stringify({ regions: { [key]: { vectorize: false } } }));
      const retuned = built(await events.next());
      expect(retuned.changed).toEqual(['tuning']);
      expect(retuned.explain.recompiled.map((r) => [r.regionKey, r.cause])).toEqual([[key, 'tuning for cpu changed']]);
      // Whether the scalar kernel differs from the vectorized one is the code generator's business.
      expect(formatWatchEvent(retuned, output)).toMatch(/^rebuilt in \d+ ms \(tuning changed\): 1 of 5 dispatches recompiled \(conv 3x3, 8→16\), module (relinked|unchanged)$/);
      const tuned = readFileSync(output);

      writeFileSync(tuning, JSON.stringify({ default: { vectorise: false } }));
      const failed = await events.next();
      expect(failed.kind).toBe('failed');
      expect(formatWatchEvent(failed, output)).toMatch(/^error \(tuning changed\) \[INPUT_INVALID\]: .*tuning\.json: unknown tuning setting vectorise/);
      expect(same(readFileSync(output), tuned)).toBe(true);

      writeFileSync(tuning, '{}');
      const back = built(await events.next());
      expect(back.explain.recompiledDispatches).toBe(0); // the untuned executables are still cached
      expect(await sameModuleFile(output, (await compileOnnx(tinyCnn(), { path: model })).module)).toBe(true);
    } finally {
      events.stop();
      await compiler.close();
    }
  }, 120_000);
});

describe('watch --run', () => {
  it('runs each new module and says how its outputs moved', async () => {
    const dir = tempDir();
    const modulePath = join(dir, 'model.vmfb');
    const run = moduleRunner({ device: 'cpu-sync', inputs: ['input=random'] });
    const signal = new AbortController().signal;
    writeFileSync(modulePath, (await compileOnnx(tinyCnn())).module);
    const [first] = await run(modulePath, signal);
    expect(first).toMatch(/^ {2}output: f32\[1,10\] \[-?\d/);
    expect(await run(modulePath, signal)).toEqual(['  output: f32[1,10] unchanged']);
    writeFileSync(modulePath, (await compileOnnx(tinyCnn(true))).module);
    const [moved] = await run(modulePath, signal);
    expect(moved).toMatch(/^ {2}output: f32\[1,10\] max \|Δ\| \S+, mean \|Δ\| \S+, argmax \d+ → \d+$/);
  }, 60_000);

  it('describes a move by its largest and mean change and the argmax of a row', () => {
    const t = (xs: number[]) => ({ dtype: 'f32', shape: [1, xs.length], data: Float32Array.from(xs) });
    expect(describeMove(t([1, 2, 3]), t([1, 2.5, 2]))).toBe('max |Δ| 1.00, mean |Δ| 0.500, argmax 2 → 1');
    expect(describeMove(t([1, 2]), t([1, 2]))).toBe('unchanged');
  });
});

describe('ireets watch', () => {
  it('prints one line per rebuild and stops on SIGINT', async () => {
    const dir = tempDir();
    const model = join(dir, 'm.onnx');
    writeFileSync(model, tinyCnn());
    const env = { ...process.env };
    delete env['IREETS_CACHE_DIR'];
    const child = spawn(process.execPath, ['--import', 'tsx', 'cli/ireets.ts', 'watch', model, '--cache-dir', join(dir, 'cache'), '--debounce', '25'], { cwd: process.cwd(), env });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const waitFor = async (re: RegExp): Promise<void> => {
      for (let i = 0; i < 600 && !re.test(out); i++) await new Promise((r) => setTimeout(r, 100));
      expect(out).toMatch(re);
    };
    try {
      await waitFor(/^built m\.vmfb in \d+ ms: 5 of 5 dispatches recompiled, module relinked$/m);
      // On a machine of few cores the compiler runs in a child Node with a smaller V8 pool (cli/v8-pool.ts).
      const pool = wantedV8PoolSize([], env, availableParallelism());
      const childrenFile = `/proc/${child.pid}/task/${child.pid}/children`;
      if (pool !== undefined && existsSync(childrenFile)) {
        const compilers = readFileSync(childrenFile, 'utf8').trim().split(/\s+/).filter(Boolean);
        expect(compilers.map((pid) => readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0'))).toContainEqual(expect.arrayContaining([`--v8-pool-size=${pool}`, 'watch']));
      }
      writeFileSync(model, tinyCnn(true));
      await waitFor(/^rebuilt in \d+ ms: 1 of 5 dispatches recompiled \(conv 3x3, 8→16, dilation 2\), module relinked$/m);
    } finally {
      child.kill('SIGINT');
    }
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code).toBe(0);
    expect(out.trim().split('\n')).toHaveLength(3); // watching…, built, rebuilt
    expect(await sameModuleFile(join(dir, 'm.vmfb'), (await compileOnnx(tinyCnn(true), { path: model })).module)).toBe(true);
  }, 120_000);

  it('its compiler child stops when the parent is killed outright', async () => {
    const env = { ...process.env };
    delete env['IREETS_CACHE_DIR'];
    delete env['IREETS_V8_POOL_SIZE'];
    const pool = wantedV8PoolSize([], env, availableParallelism());
    if (pool === undefined) return; // no child on a machine of many cores
    const dir = tempDir();
    const model = join(dir, 'm.onnx');
    writeFileSync(model, tinyCnn());
    const parent = spawn(process.execPath, ['--import', 'tsx', 'cli/ireets.ts', 'watch', model, '--cache-dir', join(dir, 'cache')], { cwd: process.cwd(), env });
    let out = '';
    parent.stdout.on('data', (d: Buffer) => (out += d.toString()));
    for (let i = 0; i < 600 && !/^built /m.test(out); i++) await new Promise((r) => setTimeout(r, 100));
    expect(out).toMatch(/^built /m);
    const childrenFile = `/proc/${parent.pid}/task/${parent.pid}/children`;
    if (!existsSync(childrenFile)) return; // no way to find the child here
    const children = readFileSync(childrenFile, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    expect(children).toHaveLength(1);
    parent.kill('SIGKILL');
    const alive = (pid: number): boolean => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    for (let i = 0; i < 100 && children.some(alive); i++) await new Promise((r) => setTimeout(r, 100));
    expect(children.filter(alive)).toEqual([]);
  }, 120_000);
});
