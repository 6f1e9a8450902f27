// The incremental compiler: every stage a query of the build graph, persisted in LMDB. Editing
// one op recompiles only the dispatches whose regions changed; a build whose inputs did not
// change, in this process or a fresh one, runs no stage.
//
//   const compiler = await openCompiler({ cacheDir });
//   const { module, explain } = await compiler.compile('model.onnx', { target: 'cpu' });
//   await compiler.close();
import { readFile } from 'node:fs/promises';
import { LmdbStore } from '../cache/lmdbStore.js';
import { Database } from '../graph/database.js';
import { Durability } from '../graph/durability.js';
import type { QueryEvent } from '../graph/events.js';
import { IreetsError } from '../util/errors.js';
import { initHashing } from '../util/hash.js';
import { TARGETS, type Target } from './compile-pipeline.js';
import { digestOf, releaseContent, retainContent, type FileDigest } from './queries/file-contents.js';
import { explainBuild, previousBuild, type Explain } from './queries/explain.js';
import { compilerQueries, modelFile, tuningSpec } from './queries/index.js';
import { writeLinkedModule } from './queries/module.js';
import { checkTuningSpec, type TuningSpec } from './queries/tuning.js';

export type { Explain, RecompiledRegion, StageExplain } from './queries/explain.js';
export { formatExplain } from './queries/explain.js';
export type { RegionTuning, TuningSpec } from './queries/tuning.js';

export interface CompilerOptions {
  /** Cache directory (default: $IREETS_CACHE_DIR, else ~/.cache/ireets). */
  cacheDir?: string | undefined;
  /** Reads a model file; the default reads the file system. Also used to recheck it before caching. */
  readFile?: (path: string) => Promise<Uint8Array>;
}

export interface CompileOptions {
  /** Default 'cpu'. */
  target?: Target;
  /** Several targets: the module carries one host program each. Overrides `target`. */
  targets?: readonly Target[];
  /** Tuning for the target(s); omitted means none. */
  tuning?: TuningSpec;
}

export interface CompileOutput {
  module: Uint8Array;
  explain: Explain;
}

export interface Compiler {
  /** Compiles the model at `path` (bytes read now), reusing every cached result that still holds. */
  compile(path: string, options?: CompileOptions): Promise<CompileOutput>;
  /** The cache directory in use. */
  readonly cacheDir: string;
  /** Waits for builds in flight, then closes the cache. */
  close(): Promise<void>;
}

async function readModelFile(path: string): Promise<Uint8Array> {
  try {
    return await readFile(path);
  } catch (e) {
    throw new IreetsError('INPUT_INVALID', `cannot read the model: ${(e as Error).message}`, path, { cause: e });
  }
}

export async function openCompiler(options: CompilerOptions = {}): Promise<Compiler> {
  await initHashing();
  const store = await LmdbStore.open({ cacheDir: options.cacheDir });
  const q = compilerQueries();
  const db = new Database({ store, queries: q.all });
  const read = options.readFile ?? readModelFile;
  // One build at a time: events and explanations belong to exactly one build.
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;
  // The content behind each path's current input, for the import that may need it.
  const holding = new Map<string, FileDigest>();
  const hold = (path: string, digest: FileDigest, bytes: Uint8Array): void => {
    retainContent(digest, bytes);
    const old = holding.get(path);
    if (old) releaseContent(old);
    holding.set(path, digest);
  };

  const build = async (path: string, opts: CompileOptions): Promise<CompileOutput> => {
    const t0 = performance.now();
    const targets = [...(opts.targets ?? [opts.target ?? 'cpu'])];
    for (const t of targets) {
      if (!TARGETS.includes(t)) throw new IreetsError('INPUT_INVALID', `unknown target ${t} (known: ${TARGETS.join(', ')})`);
    }
    const tuning = opts.tuning ?? {};
    checkTuningSpec(tuning);
    const bytes = await read(path);
    const digest = digestOf(bytes);
    hold(path, digest, bytes);
    const before = previousBuild(store, q, path, targets);
    db.setInput(modelFile, path, digest, { durability: Durability.LOW, recheck: async () => digestOf(await read(path)) });
    for (const t of targets) db.setInput(tuningSpec, t, tuning, Durability.HIGH);

    const events: QueryEvent[] = [];
    const subscription = db.events$.subscribe((e) => events.push(e));
    let module: Uint8Array;
    try {
      // Both verified or computed just now: at most loads from the store.
      module = writeLinkedModule(await db.get(q.module, { path, targets }), await db.get(q.importModel, path));
    } catch (e) {
      subscription.unsubscribe();
      // Keep what did succeed (e.g. the import of a model whose link fails); the build's error wins.
      await db.commit().catch(() => undefined);
      throw e;
    }
    const plan = await db.get(q.partition, path); // verified above: at most a load from the store
    subscription.unsubscribe();
    const report = await db.commit();
    const pathHash = store.fingerprintValue(path);
    const staleInputs = report.staleInputs.some((s) => s.query === modelFile.name && s.keyHash === pathHash) ? [path] : [];
    const explain = explainBuild({ store, path, targets, tuning, plan, events, before, staleInputs, ms: performance.now() - t0 });
    return { module, explain };
  };

  return {
    cacheDir: store.dir,
    compile(path, opts = {}) {
      if (closed) return Promise.reject(new IreetsError('INTERNAL', 'compile() after close()'));
      const run = queue.then(() => build(path, opts));
      queue = run.catch(() => undefined);
      return run;
    },
    async close() {
      if (closed) return;
      closed = true;
      await queue;
      for (const d of holding.values()) releaseContent(d);
      holding.clear();
      await store.close();
    },
  };
}
