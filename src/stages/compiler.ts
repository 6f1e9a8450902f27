// The incremental compiler: every stage a query of the build graph, persisted in LMDB. Editing
// one op recompiles only the dispatches whose regions changed; a build whose inputs did not
// change, in this process or a fresh one, runs no stage.
//
//   const compiler = await openCompiler({ cacheDir });
//   const { module, explain } = await compiler.compile('model.onnx', { target: 'cpu' });
//   await compiler.compileToFile('model.onnx', 'model.vmfb');   // leaves an up-to-date file alone
//   await compiler.close();
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { LmdbStore } from '../cache/lmdb-store.js';
import { cancelledError, isCancellation } from '../graph/cancellation.js';
import { Database } from '../graph/database.js';
import { Durability } from '../graph/durability.js';
import type { QueryEvent } from '../graph/events.js';
import { IreetsError } from '../util/errors.js';
import { initHashing } from '../util/hash.js';
import { TARGETS, type Target } from './compile-pipeline.js';
import { ContentChangedError, contentDigest, externalFilesOf, releaseContent, retainContent, withLocations, type FileDigest } from './queries/file-contents.js';
import type { DataFileState, EarlierDataFiles } from './queries/data-files.js';
import { prepareSpare, recycleModelFileBuffer } from './queries/file-buffers.js';
import { readSnapshot } from './queries/file-snapshot.js';
import { isRacy, stillAsRead, type FileStamp } from '../util/file-stamp.js';
import { explainBuild, previousBuild, type Explain } from './queries/explain.js';
import { compilerQueries, modelFile, tuningSpec } from './queries/index.js';
import { archivePathOf, externalFilesAreCurrent, externalModuleId, linkedModuleFile, linkedModuleFileLayout, linkedModuleFilesExternal, moduleFileIsCurrent, removalsDone, writeModuleFile, type WrittenModule } from './queries/module-file.js';
import type { LinkedModule, ModuleKey } from './queries/module.js';
import { sideRecords, type SideRecords } from './queries/records.js';
import { regionTable, type RegionInfo } from './queries/region-table.js';
import { readModelStamp, StampBatch } from './queries/stamps.js';
import { checkTuningSpec, compilerTuning, type TuningSpec } from './queries/tuning.js';
import { cacheFacts } from './queries/facts.js';
import { releaseDerivations, useDerivations } from '../util/derivations.js';

export type { Explain, RecompiledRegion, StageExplain } from './queries/explain.js';
export type { RegionInfo } from './queries/region-table.js';
export { formatExplain } from './queries/explain.js';
export type { RegionTuning, TuningSpec } from './queries/tuning.js';

export interface CompilerOptions {
  /** Cache directory (default: $IREETS_CACHE_DIR, else ~/.cache/ireets). */
  cacheDir?: string | undefined;
  /** Reads a model file; the default reads the file system. Also used to recheck it before caching. */
  readFile?: (path: string) => Promise<Uint8Array>;
  /**
   * Bytes of weights kept in memory between builds, least recently used out first (the cache
   * has them all). Default 512 MB, raised to twice the size of the largest model built.
   */
  retainedBytes?: number;
}

export interface CompileOptions {
  /** Default 'cpu'. */
  target?: Target;
  /** Several targets: the module carries one host program each. Overrides `target`. */
  targets?: readonly Target[];
  /** Tuning for the target(s); omitted means none. */
  tuning?: TuningSpec;
  /**
   * Abandons the build (rejecting with QUERY_CANCELLED), e.g. when a watcher sees a newer
   * change. Work finished before the abort stays memoized for the next build.
   */
  signal?: AbortSignal;
  /**
   * compileToFile only. 'embed' (default): one self-contained module file. 'external': the
   * weights go to a parameter archive beside it (archivePathOf), content-addressed and rewritten
   * only when the weights change, so an edit that keeps them writes a module of a few hundred
   * kilobytes instead of the whole model (what `ireets watch` does).
   */
  weights?: 'embed' | 'external';
}

export interface CompileOutput {
  /** The module file's bytes; treat as read-only (a no-op build may hand out the same array again). */
  module: Uint8Array;
  explain: Explain;
}

export interface CompileToFileOutput {
  output: string;
  /** Size of the module file. */
  bytes: number;
  /** false: the file already held exactly this module and was left alone. */
  written: boolean;
  /** The parameter archive, with `weights: 'external'` and weights to put there. */
  parameters?: { output: string; bytes: number; written: boolean };
  explain: Explain;
}

export interface Compiler {
  /** Compiles the model at `path` (bytes read now), reusing every cached result that still holds. */
  compile(path: string, options?: CompileOptions): Promise<CompileOutput>;
  /**
   * Compiles into the module file `output`, written atomically (temp file + rename). A file
   * this compiler (or another process over the same cache) wrote with the same module, and
   * nobody touched since, is left as it is: a no-op build reads no weights and writes nothing.
   */
  compileToFile(path: string, output: string, options?: CompileOptions): Promise<CompileToFileOutput>;
  /**
   * The model's regions, with their executables' hashes per target under `options.tuning`:
   * call after a compile of the same path and options (it reads that build's results).
   */
  regions(path: string, options?: CompileOptions): Promise<RegionInfo[]>;
  /** The external data files (absolute paths) the last build of `path` read with it: watch them too. */
  dataFiles(path: string): string[];
  /** Small records tools keep in this cache beside the build (e.g. the autotuner's trials). */
  readonly records: SideRecords;
  /** The cache directory in use. */
  readonly cacheDir: string;
  /** Waits for builds in flight, then closes the cache. */
  close(): Promise<void>;
}

function readError(path: string, e: unknown): IreetsError {
  return new IreetsError('INPUT_INVALID', `cannot read the model: ${(e as Error).message}`, path, { cause: e });
}

/** What this compiler knows of a path's content: its digest, and the stamp that vouches for it. */
interface PathState {
  digest: FileDigest;
  /** Absent when read through a custom `readFile`: nothing vouches, so rechecks re-read. */
  stamp: FileStamp | undefined;
  readStartNs: bigint;
  /** The external data files read with it (data-files.ts): each must vouch too. */
  data?: DataFileState[] | undefined;
}

/** How long the compiler waits, idle, before it writes the stamps of its builds. */
const STAMPS_IDLE_MS = 500;

/**
 * How long the compiler waits, idle, after a build before it pages in a buffer for the model's
 * next read (file-buffers.ts): a watch session's next save then reads into memory already
 * touched, also the first save after start, which has no released buffer to read into yet.
 */
const PREPARE_IDLE_MS = 20;

/** Where a build's module goes. */
type Sink = { kind: 'memory' } | { kind: 'file'; output: string };

export async function openCompiler(options: CompilerOptions = {}): Promise<Compiler> {
  await initHashing();
  const store = await LmdbStore.open({ cacheDir: options.cacheDir });
  const q = compilerQueries();
  const db = new Database({ store, queries: q.all, ...(options.retainedBytes !== undefined ? { retainedBytes: options.retainedBytes } : {}) });
  const customRead = options.readFile;
  // One build at a time: events and explanations belong to exactly one build.
  let queue: Promise<unknown> = Promise.resolve();
  let closed = false;
  const paths = new Map<string, PathState>();
  const persistedChecked = new Set<string>();
  // The module bytes last made per module key (compile()): a function of the module's value.
  const lastModule = new Map<string, { fingerprint: string; bytes: Uint8Array }>();
  const outputs = new Map<string, WrittenModule>();
  // Stamps serve later processes only (this one keeps its own in `paths` and `outputs`). Written
  // once the compiler has been idle a moment, and on close: a build does not wait for one more
  // synced cache transaction, which would also flush the module file just renamed into place.
  const pendingStamps = new StampBatch();
  // Facts about content for the front end and the packer (facts.ts): a fresh process that imports
  // a model this cache has seen skips hashing and packing its weights.
  // Installed while this compiler builds, not for good: `compileOnnx` (a clean build, the
  // reference tests compare with) computes everything itself.
  const facts = cacheFacts(store, pendingStamps);
  /** Runs `task` on the build queue once the compiler has been idle `ms`; each call restarts the wait. */
  const idleTask = (ms: number, task: () => unknown): { schedule(): void; cancel(): void } => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    return {
      schedule() {
        clearTimeout(timer);
        timer = setTimeout(() => {
          queue = queue.then(task);
        }, ms);
        timer.unref();
      },
      cancel: () => clearTimeout(timer),
    };
  };
  const stampsWhenIdle = idleTask(STAMPS_IDLE_MS, () => pendingStamps.write(store).catch(() => undefined));
  let nextReadSize = 0;
  const nextReadWhenIdle = idleTask(PREPARE_IDLE_MS, () => prepareSpare(nextReadSize));

  /** Holds the content behind `path`'s digest for the import, releasing the previous one. */
  const hold = (path: string, state: PathState, bytes: Uint8Array | undefined, externalFiles?: ReadonlyMap<string, Uint8Array>): void => {
    retainContent(state.digest, bytes, path, externalFiles);
    const old = paths.get(path);
    if (old) releaseContent(old.digest);
    paths.set(path, state);
  };
  const forget = (path: string): void => {
    const old = paths.get(path);
    if (old) releaseContent(old.digest);
    paths.delete(path);
  };

  /** A stamp the file still carries, and one old enough to be trusted; the same of each of its data files. */
  const vouches = async (path: string, s: PathState | undefined): Promise<boolean> => {
    if (!s?.stamp || !(await stillAsRead(path, s.stamp, s.readStartNs))) return false;
    // A data file that was missing vouches by still missing.
    for (const d of s.data ?? []) if (!(await stillAsRead(d.path, d.stamp, d.readStartNs))) return false;
    return true;
  };

  /** The model's digest now; reads and hashes the file only when no stamp vouches for an earlier read. */
  const readModel = async (path: string, stamps: StampBatch): Promise<FileDigest> => {
    if (customRead) {
      let bytes: Uint8Array;
      try {
        bytes = await customRead(path);
      } catch (e) {
        throw readError(path, e);
      }
      const { digest, data } = await contentDigest(path, bytes);
      const state = { digest, stamp: undefined, readStartNs: 0n, data: data?.states };
      hold(path, state, bytes, data?.bytes);
      return state.digest;
    }
    const known = paths.get(path);
    if (await vouches(path, known)) return known!.digest;
    if (!known && !persistedChecked.has(path)) {
      // A fresh process: an earlier one may have read this very file.
      persistedChecked.add(path);
      const persisted = readModelStamp(store, path);
      if (persisted && (await vouches(path, persisted))) {
        hold(path, persisted, undefined);
        return persisted.digest;
      }
    }
    let snapshot;
    try {
      snapshot = await readSnapshot(path);
    } catch (e) {
      throw readError(path, e);
    }
    let whole;
    try {
      whole = await withLocations(path, { digest: snapshot.digest, size: snapshot.bytes.length }, snapshot.externalLocations, known && dataFilesRead(known));
    } catch (e) {
      recycleModelFileBuffer(snapshot.bytes);
      throw e;
    }
    const { digest, data } = whole;
    const state = { digest, stamp: snapshot.stamp, readStartNs: snapshot.readStartNs, data: data?.states };
    hold(path, state, snapshot.bytes, data?.bytes);
    // Worth keeping for the next process only once it can vouch (not racy).
    const racy = isRacy(state.stamp, state.readStartNs) || (state.data ?? []).some((d) => d.stamp !== undefined && isRacy(d.stamp, d.readStartNs));
    if (!racy) stamps.model(path, state);
    return state.digest;
  };

  /** Before caching: is the file still what the build read? A stamp that vouches saves the re-read. */
  const recheck = (path: string, state: PathState) => async (): Promise<FileDigest> => {
    if (await vouches(path, state)) return state.digest;
    return (await contentDigest(path, customRead ? await customRead(path) : await readFile(path), dataFilesRead(state))).digest;
  };

  /** The data files read with `state`'s content, with their bytes while it is held: a later read keeps those unchanged. */
  const dataFilesRead = (state: PathState): EarlierDataFiles | undefined => state.data && { states: state.data, bytes: externalFilesOf(state.digest) };

  const build = async <T>(path: string, opts: CompileOptions, sink: Sink): Promise<{ explain: Explain; result: T }> => {
    useDerivations(facts);
    try {
      return await buildWithFacts<T>(path, opts, sink);
    } finally {
      releaseDerivations(facts);
    }
  };

  const buildWithFacts = async <T>(path: string, opts: CompileOptions, sink: Sink): Promise<{ explain: Explain; result: T }> => {
    const t0 = performance.now();
    const signal = opts.signal;
    const targets = [...(opts.targets ?? [opts.target ?? 'cpu'])];
    for (const t of targets) {
      if (!TARGETS.includes(t)) throw new IreetsError('INPUT_INVALID', `unknown target ${t} (known: ${TARGETS.join(', ')})`);
    }
    checkTuningSpec(opts.tuning ?? {});
    const tuning = compilerTuning(opts.tuning);
    const stamps = new StampBatch();
    const digest = await readModel(path, stamps);
    if (signal?.aborted) throw cancelledError('a newer build was requested', path);
    // Room for this model's weights and the previous version's (retained-values.ts).
    const dataBytes = (paths.get(path)?.data ?? []).reduce((n, d) => n + Number(d.stamp?.size ?? 0n), 0);
    if (options.retainedBytes === undefined) db.retainAtLeast(2 * (digest.size + dataBytes));
    const before = previousBuild(store, q, path, targets);
    db.setInput(modelFile, path, digest, { durability: Durability.LOW, recheck: recheck(path, paths.get(path)!) });
    for (const t of targets) db.setInput(tuningSpec, t, tuning, Durability.HIGH);

    const events: QueryEvent[] = [];
    const subscription = db.events$.subscribe((e) => events.push(e));
    const key: ModuleKey = { path, targets };
    let result: unknown;
    // The module file in the making: its bytes go out in the thread pool while the build commits,
    // and it is renamed into place once the commit is through (see writeModuleFile).
    let writing: Promise<void> | undefined;
    let commitSettled!: () => void;
    const committed = new Promise<void>((r) => (commitSettled = r));
    try {
      const linked = await db.get(q.module, key, { signal });
      // What the module file is a function of (the linked module names every constant by hash).
      const fingerprint = db.inspect(q.module, key)?.valueFingerprint ?? store.fingerprintValue(linked);
      const bytesOf = async () => linkedModuleFile(db, q, linked, await db.get(q.importModel, path, { signal }), signal);
      if (sink.kind === 'memory') {
        const id = JSON.stringify(key);
        const last = lastModule.get(id);
        const bytes = last?.fingerprint === fingerprint ? last.bytes : await bytesOf();
        lastModule.set(id, { fingerprint, bytes });
        result = bytes;
      } else {
        const output = resolve(sink.output);
        if (opts.weights === 'external') {
          const started = await startExternal(path, sink.output, output, linked, fingerprint, stamps, committed, signal);
          result = started.result;
          writing = started.writing;
        } else {
          const current = await moduleFileIsCurrent(store, outputs, output, fingerprint);
          if (current) {
            result = { output: sink.output, bytes: current.size, written: false };
          } else {
            // Written from its pieces: the weights go from where they are to the file, never joined.
            const file = await linkedModuleFileLayout(db, q, linked, await db.get(q.importModel, path, { signal }), signal);
            if (signal?.aborted) throw cancelledError('a newer build was requested', path);
            writing = writeModuleFile(output, file, fingerprint, committed).then((written) => {
              outputs.set(output, written);
              stamps.output(output, written);
            });
            result = { output: sink.output, bytes: file.byteLength, written: true };
          }
        }
      }
    } catch (e) {
      subscription.unsubscribe();
      // Keep what did succeed (e.g. the import of a model whose link fails); the build's error wins.
      // A cancelled build leaves that to the build that replaces it.
      if (!signal?.aborted) await db.commit().catch(() => undefined);
      throw e;
    }
    // The commit runs while the module file is being written. Both settle before the build
    // does; a write error wins, as it did when the write came before the commit.
    const finishing = (async () => {
      try {
        const plan = await db.get(q.partition, path).finally(() => subscription.unsubscribe()); // verified above: at most a load from the store
        return { plan, report: await db.commit() };
      } finally {
        commitSettled();
      }
    })();
    const [finished, wrote] = await Promise.allSettled([finishing, writing]);
    if (wrote.status === 'rejected') throw wrote.reason;
    if (finished.status === 'rejected') throw finished.reason;
    const { plan, report } = finished.value;
    pendingStamps.merge(stamps);
    stampsWhenIdle.schedule();
    if (!customRead) {
      nextReadSize = digest.size;
      nextReadWhenIdle.schedule();
    }
    const pathHash = store.fingerprintValue(path);
    const staleInputs = report.staleInputs.some((s) => s.query === modelFile.name && s.keyHash === pathHash) ? [path] : [];
    const planFingerprint = db.inspect(q.partition, path)?.valueFingerprint;
    const explain = explainBuild({ store, path, targets, tuning, plan, planFingerprint, events, before, staleInputs, ms: performance.now() - t0 });
    return { explain, result: result as T };
  };

  /**
   * The module file and its parameter archive (weights: 'external'): left alone when both are
   * current; else the archive is written only if it does not hold these weights already, and the
   * module after it (a reader never finds a module whose archive is not in place yet).
   */
  const startExternal = async (
    path: string,
    shownOutput: string,
    output: string,
    linked: LinkedModule,
    fingerprint: string,
    stamps: StampBatch,
    committed: Promise<void>,
    signal: AbortSignal | undefined,
  ): Promise<{ result: Omit<CompileToFileOutput, 'explain'>; writing: Promise<void> | undefined }> => {
    const archivePath = archivePathOf(output);
    const shownArchive = archivePathOf(shownOutput);
    const current = await externalFilesAreCurrent(store, outputs, output, archivePath, fingerprint);
    if (current) {
      const parameters = current.archive && { output: shownArchive, bytes: current.archive.size, written: false };
      return { result: { output: shownOutput, bytes: current.module.size, written: false, ...(parameters ? { parameters } : {}) }, writing: undefined };
    }
    const imported = await db.get(q.importModel, path, { signal });
    let archiveSize = 0;
    const archiveIsCurrent = async (id: string): Promise<boolean> => {
      const current = await moduleFileIsCurrent(store, outputs, archivePath, id);
      archiveSize = current?.size ?? 0;
      return current !== undefined;
    };
    const files = await linkedModuleFilesExternal(db, q, linked, imported, basename(archivePath), signal, archiveIsCurrent);
    if (signal?.aborted) throw cancelledError('a newer build was requested', path);
    const archive = files.archive;
    const record = (file: string) => (written: WrittenModule): void => {
      outputs.set(file, written);
      stamps.output(file, written);
    };
    const archiveWrite = archive && !('current' in archive) ? writeModuleFile(archivePath, archive, archive.id, committed).then(record(archivePath)) : undefined;
    const moduleId = externalModuleId(fingerprint, archive?.id);
    const writeModule = (): Promise<void> => writeModuleFile(output, files.module, moduleId, committed).then(record(output));
    const writing = archiveWrite ? archiveWrite.then(writeModule) : writeModule();
    const parameters = archive && { output: shownArchive, bytes: 'current' in archive ? archiveSize : archive.byteLength, written: archiveWrite !== undefined };
    return { result: { output: shownOutput, bytes: files.module.byteLength, written: true, ...(parameters ? { parameters } : {}) }, writing };
  };

  /** A build, once more from a fresh read if a stamp vouched for content that changed meanwhile. */
  const buildFresh = async <T>(path: string, opts: CompileOptions, sink: Sink) => {
    try {
      return await build<T>(path, opts, sink);
    } catch (e) {
      if (!(e instanceof ContentChangedError)) throw e;
      forget(path);
      return build<T>(path, opts, sink);
    }
  };

  const enqueue = <T>(path: string, opts: CompileOptions, run: () => Promise<T>): Promise<T> => {
    if (closed) return Promise.reject(new IreetsError('INTERNAL', 'compile() after close()'));
    const p = queue.then(() => {
      if (opts.signal?.aborted) throw cancelledError('a newer build was requested', path);
      return run();
    });
    queue = p.catch(() => undefined);
    // An aborted build answers at once; the next one still waits until it has wound down.
    return opts.signal ? abortable(p, opts.signal, path) : p;
  };

  return {
    cacheDir: store.dir,
    records: sideRecords(store),
    compile(path, opts = {}) {
      return enqueue(path, opts, async () => {
        const { explain, result } = await buildFresh<Uint8Array>(path, opts, { kind: 'memory' });
        return { module: result, explain };
      });
    },
    compileToFile(path, output, opts = {}) {
      return enqueue(path, opts, async () => {
        const { explain, result } = await buildFresh<Omit<CompileToFileOutput, 'explain'>>(path, opts, { kind: 'file', output });
        return { ...result, explain };
      });
    },
    dataFiles(path) {
      return (paths.get(path)?.data ?? []).map((d) => d.path);
    },
    regions(path, opts = {}) {
      return enqueue(path, opts, () => regionTable(db, q, path, [...(opts.targets ?? [opts.target ?? 'cpu'])], compilerTuning(opts.tuning)));
    },
    async close() {
      if (closed) return;
      closed = true;
      stampsWhenIdle.cancel();
      nextReadWhenIdle.cancel();
      await queue;
      await pendingStamps.write(store).catch(() => undefined);
      for (const s of paths.values()) releaseContent(s.digest);
      paths.clear();
      lastModule.clear();
      await removalsDone();
      await store.close();
    },
  };
}

/** Settles like `p`, or rejects with QUERY_CANCELLED as soon as `signal` aborts. */
function abortable<T>(p: Promise<T>, signal: AbortSignal, culprit: string): Promise<T> {
  const reason = (): unknown => (isCancellation(signal.reason) ? signal.reason : cancelledError('a newer build was requested', culprit));
  if (signal.aborted) return Promise.reject(reason());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(reason());
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
